using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using YamlDotNet.RepresentationModel;

namespace DatahubExporter.WebConfig;

/// <summary>The TLS material of <c>tls_server_config</c>: the certificate chain and its private key, checked
/// one problem at a time so the error names the key that holds the mistake.</summary>
internal sealed partial class WebConfigReader
{
    /// <summary>Every PEM certificate of <paramref name="text"/>; a broken one or none at all is an error naming the key.</summary>
    private X509Certificate2Collection ImportPem(string text, YamlNode? node, string name, string what)
    {
        var all = new X509Certificate2Collection();
        try
        {
            all.ImportFromPem(text);
        }
        catch (CryptographicException)
        {
            throw Error(node, name, $"not a valid PEM {what}");
        }

        if (all.Count == 0)
        {
            throw Error(node, name, "no PEM certificate found");
        }

        return all;
    }

    private (X509Certificate2 Leaf, X509Certificate2Collection Intermediates) LoadCertificate(
        string certText, string keyText, string certName, string keyName, YamlNode? certNode, YamlNode? keyNode)
    {
        var all = ImportPem(certText, certNode, certName, "certificate");

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
