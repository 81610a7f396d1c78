using System.Globalization;
using System.Text;
using NSec.Cryptography;

namespace MoodBot.Discord;

/// <summary>
/// Discord signs every HTTP interaction with Ed25519 over <c>timestamp + raw body</c>
/// (docs: interactions/overview, "Setting Up an Endpoint"). Any failure means 401.
/// </summary>
internal static class InteractionSignature
{
    /// <summary>Older timestamps are refused so a captured request can't be replayed later.</summary>
    internal static readonly TimeSpan MaxAge = TimeSpan.FromMinutes(5);

    public static bool TryParsePublicKey(string? hex, out PublicKey? key)
    {
        key = null;
        Span<byte> raw = stackalloc byte[32];
        return hex is { Length: 64 } &&
               Convert.FromHexString(hex, raw, out _, out var written) == System.Buffers.OperationStatus.Done && written == 32 &&
               PublicKey.TryImport(SignatureAlgorithm.Ed25519, raw, KeyBlobFormat.RawPublicKey, out key);
    }

    /// <returns>null when valid, else a short reason for the log (never the body).</returns>
    public static string? Verify(PublicKey key, string? signatureHex, string? timestamp, ReadOnlySpan<byte> body, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(key);
        if (string.IsNullOrEmpty(signatureHex) || string.IsNullOrEmpty(timestamp))
        {
            return "missing signature headers";
        }

        Span<byte> signature = stackalloc byte[64];
        if (signatureHex.Length != 128 ||
            Convert.FromHexString(signatureHex, signature, out _, out var written) != System.Buffers.OperationStatus.Done || written != 64)
        {
            return "malformed signature";
        }

        if (!long.TryParse(timestamp, NumberStyles.None, CultureInfo.InvariantCulture, out var seconds) ||
            seconds > DateTimeOffset.MaxValue.ToUnixTimeSeconds())
        {
            return "malformed timestamp";
        }

        if ((now - DateTimeOffset.FromUnixTimeSeconds(seconds)).Duration() > MaxAge)
        {
            return "stale timestamp";
        }

        var ts = Encoding.ASCII.GetBytes(timestamp);
        var message = new byte[ts.Length + body.Length];
        ts.CopyTo(message, 0);
        body.CopyTo(message.AsSpan(ts.Length));
        return SignatureAlgorithm.Ed25519.Verify(key, message, signature) ? null : "bad signature";
    }
}
