using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace DatahubExporter.Tests.Support;

/// <summary>The one certificate factory of the tests: certificates made at test time (ECDSA P-256, valid from
/// yesterday to tomorrow) and a temporary directory to write them to as PEM. Deletes the directory on dispose.</summary>
internal sealed class TestPki : IDisposable
{
    private readonly TempDirectory _folder = new("webconfig-");

    public string Directory => _folder.Path;

    public string PathOf(string name) => _folder.PathOf(name);

    public static X509Certificate2 CreateCa(string name)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest($"CN={name}", key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, false));
        var now = DateTimeOffset.UtcNow;
        return request.CreateSelfSigned(now.AddDays(-2), now.AddDays(2));
    }

    /// <summary>A leaf signed by <paramref name="ca"/>: a server certificate for 127.0.0.1 and localhost, or a
    /// client certificate.</summary>
    public static X509Certificate2 Issue(X509Certificate2 ca, string name, bool server)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest($"CN={name}", key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature, true));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension(
            [new Oid(server ? "1.3.6.1.5.5.7.3.1" : "1.3.6.1.5.5.7.3.2")], false));
        request.CertificateExtensions.Add(X509AuthorityKeyIdentifierExtension.CreateFromCertificate(ca, true, false));
        if (server)
        {
            request.CertificateExtensions.Add(LoopbackNames());
        }

        var now = DateTimeOffset.UtcNow;
        using var issued = request.Create(ca, now.AddDays(-1), now.AddDays(1), RandomNumberGenerator.GetBytes(12));
        return issued.CopyWithPrivateKey(key);
    }

    /// <summary>A self-signed P-256 server certificate for 127.0.0.1 and localhost, its own CA (so curl's --cacert can
    /// trust it), written as NAME.crt / NAME.key (PEM) into <paramref name="dir"/>; returns the .crt path.</summary>
    public static string WriteSelfSignedServer(string dir, string name)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest("CN=localhost", key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(LoopbackNames());
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature | X509KeyUsageFlags.KeyCertSign, critical: true));
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(certificateAuthority: true, hasPathLengthConstraint: false, 0, critical: true));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1")], critical: false));
        using var certificate = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(7));
        var crt = Path.Combine(dir, name + ".crt");
        File.WriteAllText(crt, certificate.ExportCertificatePem());
        File.WriteAllText(Path.Combine(dir, name + ".key"), key.ExportPkcs8PrivateKeyPem());
        return crt;
    }

    /// <summary>Writes <paramref name="certificate"/> as NAME.crt and its private key as NAME.key.</summary>
    public void WritePair(X509Certificate2 certificate, string name)
    {
        WriteCertificate(certificate, name + ".crt");
        WriteKey(certificate, name + ".key");
    }

    public void WriteCertificate(X509Certificate2 certificate, string name) =>
        File.WriteAllText(PathOf(name), certificate.ExportCertificatePem());

    public void WriteKey(X509Certificate2 certificate, string name) =>
        File.WriteAllText(PathOf(name), certificate.GetECDsaPrivateKey()!.ExportPkcs8PrivateKeyPem());

    private static X509Extension LoopbackNames()
    {
        var names = new SubjectAlternativeNameBuilder();
        names.AddIpAddress(IPAddress.Loopback);
        names.AddDnsName("localhost");
        return names.Build();
    }

    public void Dispose() => _folder.Dispose();
}
