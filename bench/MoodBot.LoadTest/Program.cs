using System.CommandLine;
using MoodBot.LoadTest;

var interactions = new Option<int>("--interactions") { Description = "How many /moodmusic interactions to send", DefaultValueFactory = _ => 200 };
var seconds = new Option<double>("--seconds") { Description = "Spread them evenly over this many seconds", DefaultValueFactory = _ => 20 };
var members = new Option<int>("--members") { Description = "Simulated members, taking turns", DefaultValueFactory = _ => 50 };
var cooldown = new Option<int>("--cooldown")
{
    Description = "The bot's per-member cooldown in seconds (keep it below members × seconds ÷ interactions, or runs turn into cooldown replies)",
    DefaultValueFactory = _ => 4,
};
var warmup = new Option<int>("--warmup")
{
    Description = "Interactions sent (by other members) and settled before the measured run, so the baseline includes JIT, pools and model arenas",
    DefaultValueFactory = _ => 20,
};
var httpMode = new Option<bool>("--http")
{
    Description = "HTTP interactions mode: signed POSTs to the bot run as its own process (dotnet moodbot.dll), timed by the client; each interaction from its own member",
};
var root = new RootCommand("Load run: the bot as MoodBotHost composes it (real Vision, music, Discord client) against the fake Discord.")
{
    interactions, seconds, members, cooldown, warmup, httpMode,
};
var crowdMembers = new Option<int>("--members") { Description = "Members sending their photo at the same moment", DefaultValueFactory = _ => 40 };
var side = new Option<int>("--side") { Description = "Width and height of the PNG each member sends (7000: 49 MP)", DefaultValueFactory = _ => 7000 };
var faceScale = new Option<int>("--face-scale") { Description = "How many times the face in the middle is enlarged", DefaultValueFactory = _ => 6 };
var maxRss = new Option<double>("--max-rss-mb") { Description = "Fail when the bot's peak RSS exceeds this", DefaultValueFactory = _ => 600 };
var set = new Option<string[]>("--set") { Description = "Bot setting under MoodBot:, e.g. Vision:MaxConcurrentAnalyses=1 (repeatable)" };
var crowd = new Command("crowd", "Crowd run (issue 16): many members send a small PNG that decodes to many pixels at once, to the bot as a real process; peak RSS and answered/busy/lost.")
{
    crowdMembers, side, faceScale, maxRss, set,
};
crowd.SetAction(async (parse, ct) => await CrowdRun.RunAsync(
    new CrowdSettings(parse.GetValue(crowdMembers), parse.GetValue(side), parse.GetValue(faceScale), parse.GetValue(maxRss), parse.GetValue(set) ?? []),
    Console.Out, ct));
root.Subcommands.Add(crowd);
root.SetAction(async (parse, ct) =>
{
    var settings = new LoadSettings(parse.GetValue(interactions), TimeSpan.FromSeconds(parse.GetValue(seconds)), parse.GetValue(members),
        parse.GetValue(cooldown), parse.GetValue(warmup));
    return parse.GetValue(httpMode) ? await HttpLoadRun.RunAsync(settings, Console.Out, ct) : await LoadRun.RunAsync(settings, Console.Out, ct);
});
return await root.Parse(args).InvokeAsync();
