using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using YamlDotNet.RepresentationModel;

namespace DatahubExporter.WebConfig;

/// <summary>The TLS material of <c>tls_server_config</c>: the certificate chain and its private key, checked
/// one problem at a time so the error names the key that holds the mistake.</summary>
internal sealed partial class WebConfigReader
{
    private (X509Certificate2 Leaf, X509Certificate2Collection Intermediates) LoadCertificate(
        string certText, string keyText, string certName, string keyName, YamlNode? certNode, YamlNode? keyNode)
    {
        var all = new X509Certificate2Collection();
        try
        {
            all.ImportFromPem(certText);
        }
        catch (CryptographicException)
        {
            throw Error(certNode, certName, "not a valid PEM certificate");
        }

        if (all.Count == 0)
        {
            throw Error(certNode, certName, "no PEM certificate found");
        }

        if (!PemKeys.HasPrivateKeyPem(keyText, out var encrypted))
        {
            throw Error(keyNode, keyName, encrypted
                ? "encrypted private keys are not supported"
                : "no PEM private key found");
        }

        if (!PemKeys.CanImportKey(keyText))
        {
            throw Error(keyNode, keyName, "the private key cannot be read");
        }

        X509Certificate2 leaf;
        try
        {
            leaf = X509Certificate2.CreateFromPem(certText, keyText);
        }
        catch (Exception e) when (e is CryptographicException or ArgumentException)
        {
            throw Error(keyNode, keyName, $"the private key does not match the certificate in {ShortName(certName)}");
        }

        var intermediates = new X509Certificate2Collection();
        for (var i = 1; i < all.Count; i++)
        {
            intermediates.Add(all[i]);
        }

        return (leaf, intermediates);
    }
}
