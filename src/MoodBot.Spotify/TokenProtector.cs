using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Options;

namespace MoodBot.Spotify;

/// <summary>
/// AES-256-GCM for secrets at rest (refresh tokens, PKCE verifiers). Chosen over ASP.NET Core Data Protection because
/// the key is one configuration value: every instance sharing the database decrypts the same rows without a shared key
/// ring to provision. Each value is bound to its purpose (associated data), so a ciphertext copied onto another
/// member's row or used as a verifier does not decrypt.
/// </summary>
/// <remarks>Format: <c>v1.&lt;key id&gt;.&lt;base64url(nonce ‖ ciphertext ‖ tag)&gt;</c>; the key id lets a key change be reported plainly.</remarks>
internal sealed class TokenProtector
{
    private const string Prefix = "v1";
    private const int NonceSize = 12;
    private const int TagSize = 16;
    private readonly byte[]? _key;
    private readonly string? _keyId;

    public TokenProtector(IOptions<SpotifyOptions> options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var text = options.Value.EncryptionKey;
        if (!string.IsNullOrWhiteSpace(text) && IsValidKey(text))
        {
            _key = Convert.FromBase64String(text.Trim());
            _keyId = Convert.ToHexStringLower(SHA256.HashData(_key).AsSpan(0, 4));
        }
    }

    public static bool IsValidKey(string text)
    {
        var buffer = new byte[64];
        return Convert.TryFromBase64String(text.Trim(), buffer, out var written) && written == 32;
    }

    public string Protect(string plaintext, string purpose)
    {
        var key = _key ?? throw new InvalidOperationException("MoodBot:Spotify:EncryptionKey is not configured.");
        var plain = Encoding.UTF8.GetBytes(plaintext);
        var blob = new byte[NonceSize + plain.Length + TagSize];
        var nonce = blob.AsSpan(0, NonceSize);
        RandomNumberGenerator.Fill(nonce);
        using var aes = new AesGcm(key, TagSize);
        aes.Encrypt(nonce, plain, blob.AsSpan(NonceSize, plain.Length), blob.AsSpan(NonceSize + plain.Length), Aad(purpose));
        CryptographicOperations.ZeroMemory(plain);
        return $"{Prefix}.{_keyId}.{Base64Url.EncodeToString(blob)}";
    }

    /// <summary>Throws <see cref="CryptographicException"/> when the value was made with another key or purpose, or was altered.</summary>
    public string Unprotect(string protectedValue, string purpose)
    {
        ArgumentNullException.ThrowIfNull(protectedValue);
        var key = _key ?? throw new InvalidOperationException("MoodBot:Spotify:EncryptionKey is not configured.");
        var parts = protectedValue.Split('.');
        if (parts.Length != 3 || parts[0] != Prefix)
        {
            throw new CryptographicException("Not a MoodBot-protected value.");
        }

        if (parts[1] != _keyId)
        {
            throw new CryptographicException("The value was encrypted with a different MoodBot:Spotify:EncryptionKey.");
        }

        byte[] blob;
        try
        {
            blob = Base64Url.DecodeFromChars(parts[2]);
        }
        catch (FormatException e)
        {
            throw new CryptographicException("Malformed protected value.", e);
        }

        if (blob.Length < NonceSize + TagSize)
        {
            throw new CryptographicException("Malformed protected value.");
        }

        var cipherLength = blob.Length - NonceSize - TagSize;
        var plain = new byte[cipherLength];
        using var aes = new AesGcm(key, TagSize);
        aes.Decrypt(blob.AsSpan(0, NonceSize), blob.AsSpan(NonceSize, cipherLength), blob.AsSpan(NonceSize + cipherLength), plain, Aad(purpose));
        return Encoding.UTF8.GetString(plain);
    }

    private static byte[] Aad(string purpose) => Encoding.UTF8.GetBytes("moodbot/spotify/" + purpose);
}
