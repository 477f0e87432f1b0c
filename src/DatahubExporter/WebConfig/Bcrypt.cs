using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;

namespace DatahubExporter.WebConfig;

/// <summary>bcrypt in managed code (BCrypt.Net-Next), for the <c>$2a$</c>, <c>$2b$</c> and <c>$2y$</c> hashes that
/// htpasswd and exporter-toolkit users produce. Nothing native is loaded, so basic auth works the same on
/// distroless and minimal images that have no libcrypt.</summary>
/// <remarks>Thread-safe and stateless. As with every bcrypt, only the first 72 bytes of a password count.
/// No caching here: see <see cref="BasicAuthVerifier"/>.</remarks>
internal static partial class Bcrypt
{
    /// <summary>True when <paramref name="hash"/> has the shape of a bcrypt hash: <c>$2a$</c>, <c>$2b$</c> or
    /// <c>$2y$</c>, a two-digit cost from 04 to 31, then 53 characters of bcrypt's base64.</summary>
    public static bool IsWellFormedHash(string hash)
    {
        var match = HashShape().Match(hash);
        return match.Success && int.Parse(match.Groups[1].ValueSpan, CultureInfo.InvariantCulture) is >= 4 and <= 31;
    }

    /// <summary>Checks <paramref name="password"/> (UTF-8) against a bcrypt <paramref name="hash"/>, comparing the
    /// result in constant time. Returns false for a malformed hash or a password containing NUL (which a C
    /// implementation would silently cut short, so such a password could match its own prefix elsewhere). Takes as
    /// long as the hash's cost says: call it off hot paths.</summary>
    public static bool Verify(string password, string hash)
    {
        ArgumentNullException.ThrowIfNull(password);
        ArgumentNullException.ThrowIfNull(hash);
        // The shape check comes first: BCrypt.Net throws on malformed hashes, and a malformed hash is a plain "no".
        if (!IsWellFormedHash(hash) || password.Contains('\0'))
        {
            return false;
        }

        // Hash with the stored hash as the salt and compare ourselves, in constant time; BCrypt.Net's own Verify
        // would do the same, but owning the comparison keeps the timing property visible here.
        var expected = Encoding.ASCII.GetBytes(hash);
        var actual = Encoding.ASCII.GetBytes(BCrypt.Net.BCrypt.HashPassword(password, hash));
        return CryptographicOperations.FixedTimeEquals(actual, expected);
    }

    /// <summary>Hashes <paramref name="password"/> with a fresh random salt as <c>$2b$</c> at
    /// <paramref name="cost"/> (4–31).</summary>
    public static string Hash(string password, int cost)
    {
        ArgumentNullException.ThrowIfNull(password);
        ArgumentOutOfRangeException.ThrowIfLessThan(cost, 4);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(cost, 31);
        if (password.Contains('\0'))
        {
            throw new ArgumentException("a bcrypt password cannot contain NUL", nameof(password));
        }

        // BCrypt.Net's salt generator draws its 16 bytes from RandomNumberGenerator.
        return BCrypt.Net.BCrypt.HashPassword(password, BCrypt.Net.BCrypt.GenerateSalt(cost, 'b'));
    }

    /// <summary>The cost of a hash that passed <see cref="IsWellFormedHash"/>.</summary>
    internal static int Cost(string hash) => int.Parse(hash.AsSpan(4, 2), CultureInfo.InvariantCulture);

    [GeneratedRegex(@"^\$2[aby]\$([0-9][0-9])\$[./A-Za-z0-9]{53}\z")]
    private static partial Regex HashShape();
}
