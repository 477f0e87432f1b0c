using System.Security.Cryptography;

namespace DatahubExporter.WebConfig;

/// <summary>Checks on a PEM private key made before handing it to <c>X509Certificate2.CreateFromPem</c>, so that
/// the web config error can say what is wrong with it. Pure and thread-safe.</summary>
internal static class PemKeys
{
    public static bool HasPrivateKeyPem(string text, out bool encrypted)
    {
        encrypted = false;
        var rest = text.AsSpan();
        while (PemEncoding.TryFind(rest, out var fields))
        {
            var label = rest[fields.Label];
            if (label is "PRIVATE KEY" or "RSA PRIVATE KEY" or "EC PRIVATE KEY")
            {
                return true;
            }

            encrypted |= label is "ENCRYPTED PRIVATE KEY";
            rest = rest[fields.Location.End..];
        }

        return false;
    }

    public static bool CanImportKey(string keyText)
    {
        // RSA and ECDSA are the key types CreateFromPem supports for server certificates.
        using var rsa = RSA.Create();
        try
        {
            rsa.ImportFromPem(keyText);
            return true;
        }
        catch (Exception e) when (e is CryptographicException or ArgumentException)
        {
            // Not RSA; try ECDSA below.
        }

        using var ecdsa = ECDsa.Create();
        try
        {
            ecdsa.ImportFromPem(keyText);
            return true;
        }
        catch (Exception e) when (e is CryptographicException or ArgumentException)
        {
            return false;
        }
    }
}
