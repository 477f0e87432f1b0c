using System.Net.Security;
using System.Security.Authentication;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using YamlDotNet.RepresentationModel;

namespace DatahubExporter.WebConfig;

/// <summary><c>tls_server_config</c>: the keys, the certificate and key material, client authentication and
/// TLS versions. The certificate and key are loaded in <c>WebConfigReader.TlsMaterial.cs</c>.</summary>
internal sealed partial class WebConfigReader
{
    private static readonly string[] VersionNames = ["TLS10", "TLS11", "TLS12", "TLS13"];

    private WebTlsConfig? ReadTls(YamlNode node)
    {
        const string Section = "tls_server_config";
        if (IsNull(node))
        {
            return null;
        }

        var map = AsMapping(node, Section);
        if (map.Children.Count == 0)
        {
            return null;
        }

        string? cert = null, key = null, clientCa = null, certFile = null, keyFile = null, clientCaFile = null;
        YamlNode? certFileNode = null, keyFileNode = null, clientCaFileNode = null, certNode = null, keyNode = null, clientCaNode = null;
        var clientAuth = WebClientAuthType.NoClientCert;
        YamlNode? clientAuthNode = null;
        var minVersion = 2;
        var maxVersion = 3;
        YamlNode? minNode = null;
        foreach (var (k, value) in map.Children)
        {
            var name = KeyName(k, Section);
            var full = $"{Section}.{name}";
            switch (name)
            {
                case "cert":
                    (cert, certNode) = (Str(value, full), k);
                    break;
                case "key":
                    (key, keyNode) = (Str(value, full), k);
                    break;
                case "client_ca":
                    (clientCa, clientCaNode) = (Str(value, full), k);
                    break;
                case "cert_file":
                    (certFile, certFileNode) = (Str(value, full), k);
                    break;
                case "key_file":
                    (keyFile, keyFileNode) = (Str(value, full), k);
                    break;
                case "client_ca_file":
                    (clientCaFile, clientCaFileNode) = (Str(value, full), k);
                    break;
                case "client_auth_type":
                    clientAuthNode = k;
                    clientAuth = ParseClientAuth(value, full);
                    break;
                case "min_version":
                    minNode = k;
                    minVersion = ParseVersion(value, full, minVersion);
                    break;
                case "max_version":
                    maxVersion = ParseVersion(value, full, maxVersion);
                    break;
                case "prefer_server_cipher_suites":
                    // Accepted for compatibility and ignored: Go ignores it since 1.18, and .NET has no such knob.
                    Bool(value, full, true);
                    break;
                case "cipher_suites":
                case "curve_preferences":
                case "client_allowed_sans":
                    throw Unsupported(k, full);
                default:
                    throw Error(k, full, "unknown key");
            }
        }

        if (cert is not null && certFile is not null)
        {
            throw Error(certNode, $"{Section}.cert", "set cert or cert_file, not both");
        }

        if (key is not null && keyFile is not null)
        {
            throw Error(keyNode, $"{Section}.key", "set key or key_file, not both");
        }

        if (clientCa is not null && clientCaFile is not null)
        {
            throw Error(clientCaNode, $"{Section}.client_ca", "set client_ca or client_ca_file, not both");
        }

        if (cert is null && certFile is null)
        {
            throw Error(node, Section, "missing cert_file (or cert)");
        }

        if (key is null && keyFile is null)
        {
            throw Error(node, Section, "missing key_file (or key)");
        }

        if (minVersion > maxVersion)
        {
            throw Error(minNode, $"{Section}.min_version",
                $"{VersionNames[minVersion]} is above max_version {VersionNames[maxVersion]}");
        }

        var files = new List<string>();
        var certName = certFile is null ? $"{Section}.cert" : $"{Section}.cert_file";
        var keyName = keyFile is null ? $"{Section}.key" : $"{Section}.key_file";
        var certText = cert ?? ReadReferenced(certFile!, certFileNode, certName, files);
        var keyText = key ?? ReadReferenced(keyFile!, keyFileNode, keyName, files);
        var (leaf, intermediates) = LoadCertificate(certText, keyText, certName, keyName,
            certFile is null ? certNode : certFileNode, keyFile is null ? keyNode : keyFileNode);

        var authorities = new X509Certificate2Collection();
        var caName = clientCaFile is null ? $"{Section}.client_ca" : $"{Section}.client_ca_file";
        var caNode = clientCaFile is null ? clientCaNode : clientCaFileNode;
        var verifies = clientAuth is WebClientAuthType.VerifyClientCertIfGiven or WebClientAuthType.RequireAndVerifyClientCert;
        if (clientCa is not null || clientCaFile is not null)
        {
            // exporter-toolkit refuses a CA that nothing would use: "Client CA's have been configured without
            // a Client Auth Policy".
            if (clientAuth == WebClientAuthType.NoClientCert)
            {
                throw Error(caNode, caName, "set client_auth_type too; with NoClientCert the CA is never used");
            }

            var caText = clientCa ?? ReadReferenced(clientCaFile!, clientCaFileNode, caName, files);
            authorities = ImportPem(caText, caNode, caName, "certificate list");
        }
        else if (verifies)
        {
            throw Error(clientAuthNode, $"{Section}.client_auth_type",
                $"{clientAuth} needs client_ca_file (or client_ca) to verify client certificates against");
        }

        return new WebTlsConfig
        {
            Certificate = leaf,
            CertificateContext = SslStreamCertificateContext.Create(leaf, intermediates, offline: true),
            ClientAuthType = clientAuth,
            ClientCertificateAuthorities = authorities,
            Protocols = ToProtocols(minVersion, maxVersion),
            Files = files,
        };
    }

    private WebClientAuthType ParseClientAuth(YamlNode value, string key)
    {
        var text = Str(value, key);
        return text switch
        {
            null or "" or "NoClientCert" => WebClientAuthType.NoClientCert,
            "RequestClientCert" => WebClientAuthType.RequestClientCert,
            // "RequireClientCert" is exporter-toolkit's old spelling, kept there for compatibility.
            "RequireAnyClientCert" or "RequireClientCert" => WebClientAuthType.RequireAnyClientCert,
            "VerifyClientCertIfGiven" => WebClientAuthType.VerifyClientCertIfGiven,
            "RequireAndVerifyClientCert" => WebClientAuthType.RequireAndVerifyClientCert,
            _ => throw Error(value, key, $"unknown value \"{text}\"; want one of {string.Join(", ", Enum.GetNames<WebClientAuthType>())}"),
        };
    }

    private int ParseVersion(YamlNode value, string key, int fallback)
    {
        var text = Str(value, key);
        if (string.IsNullOrEmpty(text))
        {
            return fallback;
        }

        var index = Array.IndexOf(VersionNames, text);
        return index >= 0
            ? index
            : throw Error(value, key, $"unknown value \"{text}\"; want one of {string.Join(", ", VersionNames)}");
    }

    private static SslProtocols ToProtocols(int min, int max)
    {
        var protocols = SslProtocols.None;
        for (var v = min; v <= max; v++)
        {
#pragma warning disable SYSLIB0039 // TLS 1.0 and 1.1 are deprecated, but min_version TLS10/TLS11 asks for them explicitly.
            protocols |= v switch
            {
                0 => SslProtocols.Tls,
                1 => SslProtocols.Tls11,
                2 => SslProtocols.Tls12,
                _ => SslProtocols.Tls13,
            };
#pragma warning restore SYSLIB0039
        }

        return protocols;
    }
}
