using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;

namespace MoodBot.Spotify;

/// <summary>RFC 7636 PKCE with S256, and the OAuth <c>state</c> value.</summary>
internal static class Pkce
{
    /// <summary>64 random bytes → 86 base64url characters, inside RFC 7636's 43..128 and its unreserved alphabet.</summary>
    public static string CreateVerifier() => Base64Url.EncodeToString(RandomNumberGenerator.GetBytes(64));

    /// <summary>BASE64URL(SHA256(ASCII(verifier))), no padding.</summary>
    public static string Challenge(string verifier) => Base64Url.EncodeToString(SHA256.HashData(Encoding.ASCII.GetBytes(verifier)));

    /// <summary>256 random bits: unguessable, so a forged callback cannot bind someone else's Spotify to a member.</summary>
    public static string CreateState() => Base64Url.EncodeToString(RandomNumberGenerator.GetBytes(32));
}
