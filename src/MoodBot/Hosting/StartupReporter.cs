using System.Globalization;
using System.Net.Sockets;
using System.Reflection;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Connections;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Options;
using MoodBot.Core;

namespace MoodBot.Hosting;

/// <summary>
/// The one place a start-up failure becomes what the operator reads: a single plain line naming the key, path or address
/// and what to do, on stderr, exit code 1. The stack trace follows only when <c>Logging:LogLevel:Default</c> is Debug or
/// Trace. Features report their own failures as <see cref="StartupFailureException"/> (already worded); the framework's
/// exceptions (options validation, configuration binding, Kestrel's bind) are worded here. <c>check-config</c> words its
/// findings through <see cref="Describe"/> too, so both say the same thing.
/// </summary>
public static partial class StartupReporter
{
    public const int ExitCode = 1;

    /// <summary>Runs <paramref name="start"/>; any exception it throws is reported and turned into exit code 1.</summary>
    public static async Task<int> RunAsync(Func<Task> start, TextWriter error)
    {
        ArgumentNullException.ThrowIfNull(start);
        ArgumentNullException.ThrowIfNull(error);
        try
        {
            await start();
            return 0;
        }
        catch (OperationCanceledException)
        {
            // Stopped (SIGTERM, Ctrl+C) while starting: not a failure to report.
            return 0;
        }
        catch (Exception e)
        {
            await error.WriteLineAsync($"moodbot: cannot start: {Describe(e)}");
            if (DebugRequested())
            {
                await error.WriteLineAsync(e.ToString());
            }

            return ExitCode;
        }
    }

    /// <summary>One line for any start-up exception (never a stack trace).</summary>
    public static string Describe(Exception exception)
    {
        ArgumentNullException.ThrowIfNull(exception);
        return exception switch
        {
            StartupFailureException e => e.Message,
            AggregateException e => string.Join("; ", e.Flatten().InnerExceptions.Select(Describe).Distinct()),
            OptionsValidationException e => string.Join("; ", e.Failures) + " (run `moodbot check-config` for every problem).",
            InvalidOperationException e when BindingFailure(e) is { } binding => binding,
            IOException { InnerException: AddressInUseException } e =>
                $"the listener cannot bind ({FirstLine(e.Message)}): another process uses that port; stop it or choose another with ASPNETCORE_URLS / urls.",
            IOException { InnerException: SocketException } e =>
                $"the listener cannot bind ({FirstLine(e.Message)}); check ASPNETCORE_URLS / urls (ports below 1024 need privileges).",
            _ when exception.InnerException is StartupFailureException inner => inner.Message,
            _ => $"{exception.GetType().Name}: {FirstLine(exception.Message)}",
        };
    }

    /// <summary>
    /// Worded like <c>MoodBot:Discord:Mode: 'Webhook' is not valid; expected one of Gateway, Http.</c> from the binder's
    /// "Failed to convert configuration value" exception (null for any other InvalidOperationException).
    /// </summary>
    public static string? BindingFailure(Exception exception)
    {
        ArgumentNullException.ThrowIfNull(exception);
        for (var e = exception; e is not null; e = e.InnerException)
        {
            var m = BinderMessage().Match(e.Message);
            if (!m.Success)
            {
                continue;
            }

            var key = m.Groups["key"].Value;
            var type = FindType(m.Groups["type"].Value);
            var value = m.Groups["value"].Success ? m.Groups["value"].Value : null;
            var shown = value is null ? "the value" : $"'{value}'";
            return string.Create(CultureInfo.InvariantCulture, $"{key}: {shown} is not valid; expected {Expected(type, m.Groups["type"].Value)}.");
        }

        return null;
    }

    /// <summary>Debug output was asked for in appsettings.json or the environment (the secrets file may be what failed).</summary>
    public static bool DebugRequested()
    {
        try
        {
            var level = new ConfigurationBuilder()
                .AddJsonFile(Path.Combine(AppContext.BaseDirectory, "appsettings.json"), optional: true)
                .AddEnvironmentVariables()
                .Build()["Logging:LogLevel:Default"];
            return string.Equals(level, "Debug", StringComparison.OrdinalIgnoreCase) || string.Equals(level, "Trace", StringComparison.OrdinalIgnoreCase);
        }
        catch (Exception e) when (e is IOException or InvalidDataException or FormatException)
        {
            return false;
        }
    }

    private static string Expected(Type? type, string typeName)
    {
        var t = type is null ? null : Nullable.GetUnderlyingType(type) ?? type;
        if (t is { IsEnum: true })
        {
            return "one of " + string.Join(", ", Enum.GetNames(t));
        }

        return t?.FullName switch
        {
            "System.Int32" or "System.Int64" => "a whole number",
            "System.Double" or "System.Single" or "System.Decimal" => "a number (with a dot: 0.5)",
            "System.Boolean" => "true or false",
            "System.TimeSpan" => "a duration such as 00:00:30",
            "System.Uri" => "an absolute URL",
            _ => $"a {typeName[(typeName.LastIndexOf('.') + 1)..]}",
        };
    }

    private static Type? FindType(string fullName)
    {
        foreach (var assembly in AppDomain.CurrentDomain.GetAssemblies())
        {
            try
            {
                if (assembly.GetType(fullName, throwOnError: false) is { } t)
                {
                    return t;
                }
            }
            catch (Exception e) when (e is FileLoadException or BadImageFormatException or TargetInvocationException)
            {
                // A dynamic or half-loaded assembly: keep looking.
            }
        }

        return Type.GetType(fullName, throwOnError: false);
    }

    private static string FirstLine(string message)
    {
        var end = message.AsSpan().IndexOfAny('\r', '\n');
        return (end < 0 ? message : message[..end]).Trim();
    }

    // .NET's binder: "Failed to convert configuration value ['<value>' ]at '<key>' to type '<type>'."
    [GeneratedRegex(@"Failed to convert configuration value (?:'(?<value>[^']*)' )?at '(?<key>[^']+)' to type '(?<type>[^']+)'")]
    private static partial Regex BinderMessage();
}
