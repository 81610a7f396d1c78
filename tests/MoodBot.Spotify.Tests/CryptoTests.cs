using System.Security.Cryptography;
using Microsoft.Extensions.Options;

namespace MoodBot.Spotify.Tests;

public sealed class CryptoTests
{
    private static TokenProtector Protector(string? key = null) =>
        new(Options.Create(new SpotifyOptions { EncryptionKey = key ?? Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)) }));

    [Fact]
    public void Protect_RoundTrips_AndHidesPlaintext()
    {
        var protector = Protector();
        var secret = "refresh-token-" + Guid.NewGuid();
        var sealed1 = protector.Protect(secret, "refresh:1");
        var sealed2 = protector.Protect(secret, "refresh:1");
        Assert.DoesNotContain(secret, sealed1, StringComparison.Ordinal);
        Assert.NotEqual(sealed1, sealed2); // fresh nonce each time
        Assert.Equal(secret, protector.Unprotect(sealed1, "refresh:1"));
    }

    [Fact]
    public void Unprotect_OtherPurpose_Throws()
    {
        var protector = Protector();
        var value = protector.Protect("x", "refresh:1");
        Assert.ThrowsAny<CryptographicException>(() => protector.Unprotect(value, "refresh:2"));
    }

    [Fact]
    public void Unprotect_OtherKey_ThrowsSayingSo()
    {
        var value = Protector().Protect("x", "p");
        var e = Assert.ThrowsAny<CryptographicException>(() => Protector().Unprotect(value, "p"));
        Assert.Contains("different", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Unprotect_Tampered_Throws()
    {
        var protector = Protector();
        var value = protector.Protect("secret value", "p");
        var chars = value.ToCharArray();
        chars[^3] = chars[^3] == 'A' ? 'B' : 'A';
        Assert.ThrowsAny<CryptographicException>(() => protector.Unprotect(new string(chars), "p"));
    }

    [Fact]
    public void Challenge_Rfc7636AppendixB_Matches() =>
        Assert.Equal("E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM", Pkce.Challenge("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"));

    [Fact]
    public void CreateVerifier_IsRfc7636Shaped_AndRandom()
    {
        var a = Pkce.CreateVerifier();
        Assert.InRange(a.Length, 43, 128);
        Assert.Matches("^[A-Za-z0-9._~-]+$", a);
        Assert.NotEqual(a, Pkce.CreateVerifier());
    }

    [Fact]
    public void CreateState_HasAtLeast128Bits()
    {
        var state = Pkce.CreateState();
        Assert.True(state.Length * 6 >= 128);
        Assert.NotEqual(state, Pkce.CreateState());
    }
}
