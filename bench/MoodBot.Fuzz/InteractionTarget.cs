using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using MoodBot.Discord;
using MoodBot.Discord.Gateway;
using MoodBot.Discord.Interactions;
using MoodBot.Discord.Replies;

namespace MoodBot.Fuzz;

/// <summary>
/// The interaction JSON parser, fed the way both transports feed it: an HTTP-mode request body (bytes), and the
/// <c>d</c> of a gateway INTERACTION_CREATE frame (as <see cref="GatewayFrame"/> reads it). Each parsed interaction then goes through
/// everything the bot reads from it before doing real work: the invoking user, the /moodmusic arguments and attachment
/// checks, a button's custom_id and the track ids in the clicked message. Documented refusals: the parser saying
/// "not an interaction" (HTTP 400 / event dropped) and <see cref="InteractionProblemException"/> (a kind, ephemeral reply).
/// </summary>
public sealed class InteractionTarget : IFuzzTarget
{
    private static readonly JsonSerializerOptions Compact = new() { WriteIndented = false, MaxDepth = 4096 };

    private readonly AttachmentDownloader _downloader;
    private readonly HttpClient _http = new();
    private readonly ServiceProvider _services;

    public InteractionTarget()
    {
        // Built the way DI builds it, so the harness follows constructor changes; Validate does no I/O.
        _services = new ServiceCollection()
            .AddOptions()
            .AddSingleton(TimeProvider.System)
            .AddSingleton(Options.Create(new DiscordOptions { CdnHosts = [.. DiscordOptions.DefaultCdnHosts] }))
            .BuildServiceProvider();
        _downloader = ActivatorUtilities.CreateInstance<AttachmentDownloader>(_services, _http);
    }

    public string Name => "interaction";

    public string Run(byte[] input)
    {
        ArgumentNullException.ThrowIfNull(input);
        var http = InteractionParser.Parse(input);

        // The gateway frames the payload itself (GatewayFrame) and hands a non-null d to its sink, which parses it; wrap
        // the body the way Discord would and take the same path.
        string gatewayLabel;
        Interaction? gateway = null;
        byte[] wrapped = [.. """{"op":0,"s":42,"t":"INTERACTION_CREATE","d":"""u8, .. input, (byte)'}'];
        var frame = GatewayFrame.Parse(wrapped, out _);
        if (frame is null)
        {
            // Not even a frame: the socket logs and skips it, and the connection carries on (GatewaySocket.ReceiveAsync).
            gatewayLabel = "frame-invalid";
        }
        else
        {
            gateway = frame.Data.ValueKind is JsonValueKind.Undefined or JsonValueKind.Null
                ? null
                : GatewayInteractionSink.Parse(frame.Data);
            gatewayLabel = gateway is null ? "rejected" : "parsed";
        }

        if (http is not null && gateway is not null && (http.Id != gateway.Id || http.Type != gateway.Type || http.Token != gateway.Token))
        {
            throw new FuzzInvariantException("the HTTP and gateway paths parsed the same payload differently");
        }

        var interaction = http ?? gateway;
        var label = $"http:{(http is null ? "rejected" : "parsed")}/gw:{gatewayLabel}";
        return interaction is null ? label : label + "/" + Use(interaction);
    }

    public IReadOnlyList<byte[]> Seeds() => [.. InteractionSeeds.All().Select(Encoding.UTF8.GetBytes)];

    public byte[] Mutate(byte[] parent, IReadOnlyList<byte[]> pool, Random rng)
    {
        ArgumentNullException.ThrowIfNull(parent);
        ArgumentNullException.ThrowIfNull(rng);
        if (rng.Next(4) == 0)
        {
            return ByteMutations.Apply(parent, pool, rng);
        }

        JsonNode? root;
        try
        {
            root = JsonNode.Parse(parent, documentOptions: new JsonDocumentOptions { MaxDepth = 4096 });
        }
        catch (JsonException)
        {
            return ByteMutations.Apply(parent, pool, rng);
        }

        if (root is null)
        {
            return ByteMutations.Apply(parent, pool, rng);
        }

        string text;
        try
        {
            for (int i = 0, n = 1 + rng.Next(3); i < n; i++)
            {
                root = JsonMutations.Mutate(root, rng);
            }

            text = root.ToJsonString(Compact);
        }
        catch (Exception e) when (e is InvalidOperationException or ArgumentException)
        {
            // The parent holds invalid UTF-8 in a string or a duplicate key (earlier byte/text mutations): no tree to rewrite.
            return ByteMutations.Apply(parent, pool, rng);
        }

        return rng.Next(12) == 0 ? JsonMutations.TextLevel(text, rng) : Encoding.UTF8.GetBytes(text);
    }

    public void Dispose()
    {
        _services.Dispose();
        _http.Dispose();
    }

    /// <summary>What the handlers read from an interaction before any I/O; returns a label of what happened.</summary>
    private string Use(Interaction interaction)
    {
        // Without these the interaction cannot be answered; the parser must not hand such a thing to the dispatcher.
        if (string.IsNullOrEmpty(interaction.Id) || string.IsNullOrEmpty(interaction.ApplicationId) || string.IsNullOrEmpty(interaction.Token))
        {
            throw new FuzzInvariantException("parsed an interaction without id, application_id or token");
        }

        // The dispatcher logs these; none may throw.
        _ = interaction.UserId;
        _ = interaction.Data?.Name ?? interaction.Data?.CustomId?.Split(':')[0];
        try
        {
            if (interaction.Type == InteractionType.ApplicationCommand && interaction.Data?.Name == MoodMusicCommand.Name)
            {
                var args = MoodMusicCommand.CommandArgs.Parse(interaction);
                _ = _downloader.Validate(args.Photo);
                return "moodmusic:ok";
            }

            if (interaction.Type == InteractionType.MessageComponent && interaction.Data?.CustomId?.StartsWith(ButtonState.Prefix, StringComparison.Ordinal) == true)
            {
                var ids = ReplyBuilder.TrackIdsFrom(interaction.Message?.Embeds);
                if (!ButtonState.TryDecode(interaction.Data.CustomId, out var state))
                {
                    return "button:stale";
                }

                // A decoded state must survive its own encoding (the next reply's buttons carry it on).
                if (!ButtonState.TryDecode(state.Encode(), out _))
                {
                    throw new FuzzInvariantException("a decoded button state does not decode after re-encoding");
                }

                return ids.Count > 0 ? "button:ok:tracks" : "button:ok";
            }

            return "other:" + (Enum.IsDefined(interaction.Type) ? interaction.Type.ToString() : "unknown");
        }
        catch (InteractionProblemException e)
        {
            return "refused:" + e.Kind.ToString().ToLower(CultureInfo.InvariantCulture) + ":" + FuzzRunner.MessageKey(e.Message);
        }
    }
}
