using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Json.Schema;
using MoodBot.Tests;

namespace MoodBot.Discord.Tests.Fakes;

/// <summary>
/// Checks requests against Discord's OpenAPI 3.1 document: the path template and method must exist, and the body must
/// satisfy the operation's requestBody schema. OpenAPI 3.1 schemas are JSON Schema 2020-12, so the components are
/// hoisted into one schema document's <c>$defs</c> (refs rewritten) and each operation's body schema is a def too.
/// </summary>
internal sealed class DiscordSpec
{
    private static readonly Uri BaseUri = new("https://moodbot.test/discord-openapi.json");
    private static readonly Lazy<DiscordSpec> Instance = new(() => new DiscordSpec(Load()));

    private readonly List<Operation> _operations = [];

    private DiscordSpec(JsonObject doc)
    {
        var defs = new JsonObject();
        foreach (var (name, schema) in doc["components"]!["schemas"]!.AsObject())
        {
            defs[name] = schema!.DeepClone();
        }

        var index = 0;
        foreach (var (path, item) in doc["paths"]!.AsObject())
        {
            foreach (var (method, op) in item!.AsObject())
            {
                if (method is "parameters" or "summary" or "description")
                {
                    continue;
                }

                var bodies = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
                if (op?["requestBody"]?["content"] is JsonObject content)
                {
                    foreach (var (type, media) in content)
                    {
                        if (media?["schema"] is { } schema)
                        {
                            var def = $"op{index++}";
                            defs[def] = schema.DeepClone();
                            bodies[type] = def;
                        }
                    }
                }

                var required = op?["requestBody"]?["required"]?.GetValue<bool>() ?? false;
                _operations.Add(new Operation(method.ToUpperInvariant(), path, Template(path), bodies, required));
            }
        }

        var root = new JsonObject
        {
            ["$schema"] = "https://json-schema.org/draft/2020-12/schema",
            ["$id"] = BaseUri.ToString(),
            ["$defs"] = defs,
        };
        var text = root.ToJsonString().Replace("\"#/components/schemas/", "\"#/$defs/", StringComparison.Ordinal);
        Options = new BuildOptions { SchemaRegistry = new SchemaRegistry() };
        JsonSchema.FromText(text, Options, BaseUri);
    }

    public static DiscordSpec Shared => Instance.Value;

    private BuildOptions Options { get; }

    private readonly Dictionary<string, JsonSchema> _schemas = [];

    /// <summary>Null when conforming; otherwise what is wrong, for the test failure message.</summary>
    public string? Check(string method, string path, string? contentType, JsonElement? body)
    {
        var op = _operations.FirstOrDefault(o => o.Method == method && o.Regex.IsMatch(path));
        if (op is null)
        {
            return $"{method} {path}: no such operation in openapi.json";
        }

        if (body is null)
        {
            return op.BodyRequired ? $"{method} {op.Path}: a request body is required" : null;
        }

        var media = contentType?.Split(';')[0].Trim() ?? string.Empty;
        if (!op.Bodies.TryGetValue(media, out var def))
        {
            return $"{method} {op.Path}: content type '{media}' not accepted (spec: {string.Join(", ", op.Bodies.Keys)})";
        }

        JsonSchema schema;
        lock (_schemas)
        {
            if (!_schemas.TryGetValue(def, out schema!))
            {
                schema = JsonSchema.FromText($$"""{"$schema":"https://json-schema.org/draft/2020-12/schema","$ref":"{{BaseUri}}#/$defs/{{def}}"}""",
                    Options, new Uri($"https://moodbot.test/check/{def}"));
                _schemas[def] = schema;
            }
        }

        var results = schema.Evaluate(body.Value, new EvaluationOptions { OutputFormat = OutputFormat.List, RequireFormatValidation = true });
        if (results.IsValid)
        {
            return null;
        }

        var errors = (results.Details ?? []).Where(d => d.Errors is { Count: > 0 })
            .SelectMany(d => d.Errors!.Select(e => $"{d.InstanceLocation}: {e.Value}")).Take(8);
        return $"{method} {op.Path}: body does not match the spec: {string.Join("; ", errors)}";
    }

    private static JsonObject Load() =>
        JsonNode.Parse(File.ReadAllText(SharedData.Path("api-specs/discord/openapi.json")))!.AsObject();

    private static Regex Template(string path) =>
        new("^" + Regex.Replace(Regex.Escape(path), @"\\\{[^}]+}", "[^/]+") + "$", RegexOptions.CultureInvariant);

    private sealed record Operation(string Method, string Path, Regex Regex, Dictionary<string, string> Bodies, bool BodyRequired);
}
