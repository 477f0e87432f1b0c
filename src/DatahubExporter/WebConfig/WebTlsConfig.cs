using System.Net.Security;
using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;

namespace DatahubExporter.WebConfig;

/// <summary>The validated <c>tls_server_config</c> of a <see cref="WebConfigFile"/>: the server certificate with
/// its private key already loaded, the TLS version range and the client-certificate policy. Immutable and
/// safe to share between threads; a reload builds a new instance instead of changing this one. Certificates
/// are not disposed on reload because handshakes in flight may still use them.</summary>
internal sealed class WebTlsConfig
{
    /// <summary>The server (leaf) certificate with its private key.</summary>
    public required X509Certificate2 Certificate { get; init; }

    /// <summary>The leaf plus the intermediate certificates that followed it in the PEM, sent to clients.</summary>
    internal SslStreamCertificateContext CertificateContext { get; init; } = null!;

    /// <summary>How client certificates are asked for and checked.</summary>
    public required WebClientAuthType ClientAuthType { get; init; }

    /// <summary>The only trust anchors for client certificates (<c>client_ca_file</c> or <c>client_ca</c>);
    /// empty when none is configured.</summary>
    public required X509Certificate2Collection ClientCertificateAuthorities { get; init; }

    /// <summary>Every protocol from <c>min_version</c> up to <c>max_version</c>.</summary>
    public required SslProtocols Protocols { get; init; }

    /// <summary>Absolute paths of the certificate, key and client CA files that were read (inline PEM values
    /// have no path). The watcher hashes them so that replacing a certificate on disk is noticed.</summary>
    internal IReadOnlyList<string> Files { get; init; } = [];
}
