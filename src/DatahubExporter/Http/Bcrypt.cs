using System.Globalization;
using System.Runtime.InteropServices;
using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;

namespace DatahubExporter.Http;

/// <summary>bcrypt through the system's libxcrypt (<c>crypt_r</c> in <c>libcrypt.so.1</c>), which handles the
/// <c>$2a$</c>, <c>$2b$</c> and <c>$2y$</c> prefixes that htpasswd and exporter-toolkit users produce.</summary>
/// <remarks>Thread-safe: every call gets its own zeroed <c>struct crypt_data</c> on the native heap (32 KiB,
/// too big for the stack), wiped before it is freed. The library is looked up once; when it is missing
/// <see cref="IsAvailable"/> is false and <see cref="WebConfig.Load(string)"/> refuses <c>basic_auth_users</c>
/// rather than letting a request crash. As with every bcrypt, only the first 72 bytes of a password count.
/// No caching here: see <see cref="BasicAuthVerifier"/>.</remarks>
public static unsafe partial class Bcrypt
{
    /// <summary>The shared library loaded.</summary>
    public const string LibraryName = "libcrypt.so.1";

    // sizeof(struct crypt_data) in libxcrypt's crypt.h: 384 + 384 + 512 + 767 + 1 + 30720.
    private const int CryptDataSize = 32768;

    // CRYPT_GENSALT_OUTPUT_SIZE in crypt.h.
    private const int GensaltOutputSize = 192;

    private static readonly delegate* unmanaged<byte*, byte*, void*, byte*> CryptR;
    private static readonly delegate* unmanaged<byte*, nuint, byte*, int, byte*, int, byte*> GensaltRn;

    static Bcrypt()
    {
        // Debian and Ubuntu ship libxcrypt as .so.1; Fedora, RHEL 9 and Amazon Linux 2023 as .so.2 (with .so.1
        // only in libxcrypt-compat). Both export the two functions used here.
        if ((NativeLibrary.TryLoad(LibraryName, out var handle) || NativeLibrary.TryLoad("libcrypt.so.2", out handle))
            && NativeLibrary.TryGetExport(handle, "crypt_r", out var cryptR)
            && NativeLibrary.TryGetExport(handle, "crypt_gensalt_rn", out var gensalt))
        {
            CryptR = (delegate* unmanaged<byte*, byte*, void*, byte*>)cryptR;
            GensaltRn = (delegate* unmanaged<byte*, nuint, byte*, int, byte*, int, byte*>)gensalt;
        }
    }

    /// <summary>Whether libcrypt was found and exports <c>crypt_r</c> and <c>crypt_gensalt_rn</c>.</summary>
    public static bool IsAvailable => CryptR != null;

    /// <summary>True when <paramref name="hash"/> has the shape of a bcrypt hash: <c>$2a$</c>, <c>$2b$</c> or
    /// <c>$2y$</c>, a two-digit cost from 04 to 31, then 53 characters of bcrypt's base64.</summary>
    public static bool IsWellFormedHash(string hash)
    {
        var match = HashShape().Match(hash);
        return match.Success && int.Parse(match.Groups[1].ValueSpan, CultureInfo.InvariantCulture) is >= 4 and <= 31;
    }

    /// <summary>Checks <paramref name="password"/> (UTF-8) against a bcrypt <paramref name="hash"/>, comparing the
    /// result in constant time. Returns false for a malformed hash or a password containing NUL (which C
    /// would silently cut short). Takes as long as the hash's cost says: call it off hot paths.</summary>
    /// <exception cref="InvalidOperationException">libcrypt is not available (see <see cref="IsAvailable"/>).</exception>
    public static bool Verify(string password, string hash)
    {
        ArgumentNullException.ThrowIfNull(password);
        ArgumentNullException.ThrowIfNull(hash);
        if (!IsWellFormedHash(hash) || password.Contains('\0'))
        {
            return false;
        }

        var expected = Encoding.ASCII.GetBytes(hash);
        var result = Crypt(password, hash);
        try
        {
            return CryptographicOperations.FixedTimeEquals(result, expected);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(result);
        }
    }

    /// <summary>Hashes <paramref name="password"/> with a fresh random salt as <c>$2b$</c> at
    /// <paramref name="cost"/> (4–31), using libxcrypt's own salt generator.</summary>
    /// <exception cref="InvalidOperationException">libcrypt is not available, or refused the input.</exception>
    public static string Hash(string password, int cost)
    {
        ArgumentNullException.ThrowIfNull(password);
        ArgumentOutOfRangeException.ThrowIfLessThan(cost, 4);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(cost, 31);
        if (password.Contains('\0'))
        {
            throw new ArgumentException("a bcrypt password cannot contain NUL", nameof(password));
        }

        EnsureAvailable();

        Span<byte> random = stackalloc byte[16];
        RandomNumberGenerator.Fill(random);
        var output = stackalloc byte[GensaltOutputSize];
        ReadOnlySpan<byte> prefix = "$2b$\0"u8;
        byte* setting;
        fixed (byte* prefixPtr = prefix)
        fixed (byte* randomPtr = random)
        {
            setting = GensaltRn(prefixPtr, (nuint)cost, randomPtr, random.Length, output, GensaltOutputSize);
        }

        if (setting == null || *setting == (byte)'*')
        {
            throw new InvalidOperationException("crypt_gensalt_rn refused to make a bcrypt salt");
        }

        var result = Crypt(password, Marshal.PtrToStringAnsi((nint)setting)!);
        return result.Length == 60
            ? Encoding.ASCII.GetString(result)
            : throw new InvalidOperationException("crypt_r refused to hash with a bcrypt salt");
    }

    /// <summary>The cost of a hash that passed <see cref="IsWellFormedHash"/>.</summary>
    internal static int Cost(string hash) => int.Parse(hash.AsSpan(4, 2), CultureInfo.InvariantCulture);

    private static byte[] Crypt(string password, string setting)
    {
        EnsureAvailable();
        var passwordBytes = new byte[Encoding.UTF8.GetByteCount(password) + 1];
        Encoding.UTF8.GetBytes(password, passwordBytes);
        var settingBytes = new byte[setting.Length + 1];
        Encoding.ASCII.GetBytes(setting, settingBytes);
        var data = NativeMemory.AllocZeroed(CryptDataSize);
        try
        {
            fixed (byte* p = passwordBytes)
            fixed (byte* s = settingBytes)
            {
                var result = CryptR(p, s, data);
                // libxcrypt reports failure with a token starting with '*' (or NULL if built that way).
                return result == null || *result == (byte)'*'
                    ? []
                    : new ReadOnlySpan<byte>(result, StrLen(result)).ToArray();
            }
        }
        finally
        {
            // crypt_data holds the password copy and key schedule; do not leave them on the heap.
            NativeMemory.Clear(data, CryptDataSize);
            NativeMemory.Free(data);
            CryptographicOperations.ZeroMemory(passwordBytes);
        }
    }

    private static int StrLen(byte* s)
    {
        var n = 0;
        while (s[n] != 0 && n < CryptDataSize)
        {
            n++;
        }

        return n;
    }

    private static void EnsureAvailable()
    {
        if (!IsAvailable)
        {
            throw new InvalidOperationException($"bcrypt is not available: {LibraryName} could not be loaded");
        }
    }

    [GeneratedRegex(@"^\$2[aby]\$([0-9][0-9])\$[./A-Za-z0-9]{53}\z")]
    private static partial Regex HashShape();
}
