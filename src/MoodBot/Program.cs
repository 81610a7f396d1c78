using MoodBot.Cli;

// One executable: with no verb it runs the bot; verbs (analyze, evaluate, ...) share the same composition root.
return await MoodBotCli.Build().Parse(args).InvokeAsync();
