using System.Globalization;
using System.Text.Json;
using Json.Schema;
using Microsoft.OpenApi.Any;
using Microsoft.OpenApi.Models;
using Microsoft.OpenApi.Readers;
using Microsoft.OpenApi.Writers;

namespace MoodBot.Spotify.Tests;

/// <summary>
/// Checks a request against the shared Spotify OpenAPI file: a described path and method, required query parameters,
/// no undeclared ones, query values within their schema (type, min/max, enum), and the JSON body against the
/// operation's request schema (JsonSchema.Net).
/// </summary>
internal sealed class OpenApiRequestValidator
{
    private static readonly Lazy<OpenApiRequestValidator> Shared = new(() => new OpenApiRequestValidator(
        SharedData.Path("api-specs/spotify/fixed-spotify-open-api.yml")));

    // OpenAPI 3.0 schemas are a draft-04/07 subset plus annotations (example, nullable, x-…) that must not fail the build.
    private static readonly BuildOptions SchemaOptions = new() { Dialect = Dialect.Draft07.With([], allowUnknownKeywords: true) };

    private readonly List<(string[] Segments, OpenApiPathItem Item)> _paths = [];
    private readonly Dictionary<OpenApiOperation, JsonSchema?> _bodySchemas = [];

    private OpenApiRequestValidator(string path)
    {
        using var stream = File.OpenRead(path);
        var document = new OpenApiStreamReader().Read(stream, out var diagnostic);
        if (document?.Paths is null || document.Paths.Count == 0)
        {
            throw new InvalidOperationException("Could not read the Spotify OpenAPI file: " + string.Join("; ", diagnostic.Errors.Select(e => e.Message)));
        }

        foreach (var (template, item) in document.Paths)
        {
            _paths.Add((template.Trim('/').Split('/'), item));
        }
    }

    public static OpenApiRequestValidator Instance => Shared.Value;

    public int PathCount => _paths.Count;

    /// <param name="path">The path below the API base, e.g. <c>/search</c>.</param>
    public IReadOnlyList<string> Validate(string method, string path, IReadOnlyDictionary<string, string[]> query, string? contentType, string body)
    {
        var errors = new List<string>();
        var segments = path.Trim('/').Split('/');
        var match = _paths
            .Where(p => p.Segments.Length == segments.Length && p.Segments.Zip(segments).All(z => z.First.StartsWith('{') || z.First == z.Second))
            .OrderByDescending(p => p.Segments.Count(s => !s.StartsWith('{')))
            .Select(p => p.Item)
            .FirstOrDefault();
        if (match is null)
        {
            return [$"{method} {path}: no such path in the spec"];
        }

        if (!Enum.TryParse<OperationType>(method, ignoreCase: true, out var type) || !match.Operations.TryGetValue(type, out var operation))
        {
            return [$"{method} {path}: the spec has no {method} for this path"];
        }

        var parameters = match.Parameters.Concat(operation.Parameters).Where(p => p.In == ParameterLocation.Query).ToDictionary(p => p.Name);
        foreach (var p in parameters.Values.Where(p => p.Required && !query.ContainsKey(p.Name)))
        {
            errors.Add($"{method} {path}: required query parameter '{p.Name}' is missing");
        }

        foreach (var (name, values) in query)
        {
            if (!parameters.TryGetValue(name, out var parameter))
            {
                errors.Add($"{method} {path}: query parameter '{name}' is not in the spec");
                continue;
            }

            if (values.Length != 1)
            {
                errors.Add($"{method} {path}: query parameter '{name}' appears {values.Length} times");
                continue;
            }

            CheckValue(parameter.Schema, values[0], $"{method} {path}: '{name}'", errors);
        }

        var jsonBody = operation.RequestBody?.Content.TryGetValue("application/json", out var media) == true ? media : null;
        if (body.Length == 0)
        {
            if (operation.RequestBody?.Required == true)
            {
                errors.Add($"{method} {path}: the request body is required");
            }
        }
        else if (jsonBody is null)
        {
            errors.Add($"{method} {path}: the spec describes no JSON body here");
        }
        else if (contentType is null || !contentType.StartsWith("application/json", StringComparison.OrdinalIgnoreCase))
        {
            errors.Add($"{method} {path}: body sent as '{contentType}', not application/json");
        }
        else
        {
            var schema = BodySchema(operation, jsonBody.Schema);
            try
            {
                using var json = JsonDocument.Parse(body);
                var result = schema!.Evaluate(json.RootElement, new EvaluationOptions { OutputFormat = OutputFormat.List });
                if (!result.IsValid)
                {
                    var details = (result.Details ?? []).Where(d => d.Errors is not null).SelectMany(d => d.Errors!.Select(e => $"{d.InstanceLocation}: {e.Value}"));
                    errors.Add($"{method} {path}: body does not match the request schema: {string.Join("; ", details)}");
                }
            }
            catch (JsonException e)
            {
                errors.Add($"{method} {path}: body is not JSON ({e.Message})");
            }
        }

        return errors;
    }

    private JsonSchema? BodySchema(OpenApiOperation operation, OpenApiSchema schema)
    {
        lock (_bodySchemas)
        {
            if (!_bodySchemas.TryGetValue(operation, out var compiled))
            {
                using var text = new StringWriter(CultureInfo.InvariantCulture);
                var writer = new OpenApiJsonWriter(text, new OpenApiJsonWriterSettings { InlineLocalReferences = true });
                schema.SerializeAsV3WithoutReference(writer);
                writer.Flush();
                compiled = JsonSchema.FromText(text.ToString(), SchemaOptions);
                _bodySchemas[operation] = compiled;
            }

            return compiled;
        }
    }

    private static void CheckValue(OpenApiSchema? schema, string value, string where, List<string> errors)
    {
        if (schema is null)
        {
            return;
        }

        switch (schema.Type)
        {
            case "integer":
                if (!long.TryParse(value, NumberStyles.Integer, CultureInfo.InvariantCulture, out var i))
                {
                    errors.Add($"{where} must be an integer, got '{value}'");
                    return;
                }

                CheckRange(schema, i, where, errors);
                break;
            case "number":
                if (!decimal.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out var d))
                {
                    errors.Add($"{where} must be a number, got '{value}'");
                    return;
                }

                CheckRange(schema, d, where, errors);
                break;
            case "boolean":
                if (value is not ("true" or "false"))
                {
                    errors.Add($"{where} must be true or false, got '{value}'");
                }

                break;
            case "array":
                // explode: false → comma-separated values, each checked against the item schema.
                foreach (var item in value.Split(','))
                {
                    CheckValue(schema.Items, item, where, errors);
                }

                break;
            default:
                if (value.Length == 0)
                {
                    errors.Add($"{where} is empty");
                }

                break;
        }

        if (schema.Enum.Count > 0 && schema.Type != "array" && !schema.Enum.OfType<OpenApiString>().Any(e => e.Value == value))
        {
            errors.Add($"{where} = '{value}' is not one of the spec's values");
        }
    }

    private static void CheckRange(OpenApiSchema schema, decimal value, string where, List<string> errors)
    {
        if (schema.Minimum is { } min && value < min)
        {
            errors.Add($"{where} = {value} is below the spec's minimum {min}");
        }

        if (schema.Maximum is { } max && value > max)
        {
            errors.Add($"{where} = {value} is above the spec's maximum {max}");
        }
    }
}
