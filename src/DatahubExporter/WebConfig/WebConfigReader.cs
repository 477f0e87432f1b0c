using System.Globalization;
using System.Net.Security;
using System.Security.Authentication;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text.RegularExpressions;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace DatahubExporter.WebConfig;

/// <summary>Turns a web config file into a <see cref="WebConfigFile"/>. Works on the YAML node tree rather than
/// a deserializer so that every error can name the line and the full key path. Stateless apart from the
/// one file being read; each call is independent.</summary>
internal sealed partial class WebConfigReader
{
    /// <summary>The highest bcrypt cost accepted in <c>basic_auth_users</c>.</summary>
    public const int MaxCost = 15;

    private static readonly System.Collections.Concurrent.ConcurrentDictionary<int, string> DummyHashes = new();

    private static readonly string[] VersionNames = ["TLS10", "TLS11", "TLS12", "TLS13"];

    // exporter-toolkit allows only these headers, two of them with a fixed set of values (web-configuration.md).
    private static readonly Dictionary<string, string[]?> AllowedHeaders = new(StringComparer.Ordinal)
    {
        ["Strict-Transport-Security"] = null,
        ["X-Content-Type-Options"] = ["nosniff"],
        ["X-Frame-Options"] = ["deny", "sameorigin"],
        ["X-XSS-Protection"] = null,
        ["Content-Security-Policy"] = null,
    };

    private readonly string _path;
    private readonly string _directory;

    private WebConfigReader(string path)
    {
        _path = System.IO.Path.GetFullPath(path);
        _directory = System.IO.Path.GetDirectoryName(_path) ?? ".";
    }

    public static WebConfigFile Read(string path) => new WebConfigReader(path).Read();

    private WebConfigFile Read()
    {
        var text = ReadText(_path, null, "file");
        var root = Parse(text);
        if (root is null || IsNull(root))
        {
            return new WebConfigFile { Path = _path };
        }

        var top = AsMapping(root, "top level");
        WebTlsConfig? tls = null;
        var http2 = true;
        IReadOnlyDictionary<string, string> headers = new Dictionary<string, string>(StringComparer.Ordinal);
        var users = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (keyNode, value) in top.Children)
        {
            var key = KeyName(keyNode, null);
            switch (key)
            {
                case "tls_server_config":
                    tls = ReadTls(value);
                    break;
                case "http_server_config":
                    (http2, headers) = ReadHttp(value);
                    break;
                case "basic_auth_users":
                    users = ReadUsers(value);
                    break;
                case "rate_limit":
                    throw Unsupported(keyNode, key);
                default:
                    throw Error(keyNode, key, "unknown key");
            }
        }

        string? unknownUserHash = null;
        if (users.Count > 0)
        {
            var cost = users.Values.Max(h => Bcrypt.Cost(h));
            // Made once per cost for the process: a reload must not pay a slow hash again.
            unknownUserHash = DummyHashes.GetOrAdd(cost, c => Bcrypt.Hash(Convert.ToBase64String(RandomNumberGenerator.GetBytes(18)), c));
        }

        return new WebConfigFile
        {
            Path = _path,
            Tls = tls,
            Http2 = http2,
            Headers = headers,
            BasicAuthUsers = users,
            UnknownUserHash = unknownUserHash,
        };
    }

    private YamlNode? Parse(string text)
    {
        var stream = new YamlStream();
        try
        {
            stream.Load(new StringReader(text));
        }
        catch (YamlException e)
        {
            // YamlDotNet puts "(Line: x, Col: y, Idx: z) - (...): " in front of the reason; the line is
            // printed our way instead.
            var reason = YamlPosition().Replace(e.Message, "");
            throw new WebConfigException($"web config {_path}:{e.Start.Line}: invalid YAML: {reason}");
        }

        return stream.Documents.Count switch
        {
            0 => null,
            1 => stream.Documents[0].RootNode,
            _ => throw new WebConfigException($"web config {_path}:{stream.Documents[1].RootNode.Start.Line}: only one YAML document is allowed"),
        };
    }

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
            try
            {
                authorities.ImportFromPem(caText);
            }
            catch (CryptographicException)
            {
                throw Error(caNode, caName, "not a valid PEM certificate list");
            }

            if (authorities.Count == 0)
            {
                throw Error(caNode, caName, "no PEM certificate found");
            }
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

        if (!HasPrivateKeyPem(keyText, out var encrypted))
        {
            throw Error(keyNode, keyName, encrypted
                ? "encrypted private keys are not supported"
                : "no PEM private key found");
        }

        if (!CanImportKey(keyText))
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

    private static bool HasPrivateKeyPem(string text, out bool encrypted)
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

    private static bool CanImportKey(string keyText)
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

    private (bool Http2, IReadOnlyDictionary<string, string> Headers) ReadHttp(YamlNode node)
    {
        const string Section = "http_server_config";
        var http2 = true;
        var headers = new Dictionary<string, string>(StringComparer.Ordinal);
        if (IsNull(node))
        {
            return (http2, headers);
        }

        foreach (var (k, value) in AsMapping(node, Section).Children)
        {
            var name = KeyName(k, Section);
            var full = $"{Section}.{name}";
            switch (name)
            {
                case "http2":
                    http2 = Bool(value, full, true);
                    break;
                case "headers":
                    headers = ReadHeaders(value, full);
                    break;
                default:
                    throw Error(k, full, "unknown key");
            }
        }

        return (http2, headers);
    }

    private Dictionary<string, string> ReadHeaders(YamlNode node, string section)
    {
        var headers = new Dictionary<string, string>(StringComparer.Ordinal);
        if (IsNull(node))
        {
            return headers;
        }

        foreach (var (k, value) in AsMapping(node, section).Children)
        {
            var name = KeyName(k, section);
            var full = $"{section}.{name}";
            if (!AllowedHeaders.TryGetValue(name, out var allowedValues))
            {
                throw Error(k, full, $"this header cannot be set; allowed: {string.Join(", ", AllowedHeaders.Keys)}");
            }

            var text = Str(value, full);
            if (string.IsNullOrEmpty(text))
            {
                continue;
            }

            // Kestrel refuses response header values outside visible ASCII, space and tab, and would then
            // answer every request 500 (probes included): refuse them at load time instead.
            if (text.Any(c => c != '\t' && c is < ' ' or > '~'))
            {
                throw Error(k, full, "the value must be printable ASCII (no control or non-ASCII characters)");
            }

            if (allowedValues is not null && !allowedValues.Contains(text, StringComparer.Ordinal))
            {
                throw Error(k, full, $"\"{text}\" is not allowed; want {string.Join(" or ", allowedValues)}");
            }

            headers[name] = text;
        }

        return headers;
    }

    private Dictionary<string, string> ReadUsers(YamlNode node)
    {
        const string Section = "basic_auth_users";
        var users = new Dictionary<string, string>(StringComparer.Ordinal);
        if (IsNull(node))
        {
            return users;
        }

        foreach (var (k, value) in AsMapping(node, Section).Children)
        {
            var user = KeyName(k, Section);
            if (user.Length == 0)
            {
                throw Error(k, Section, "empty user name");
            }

            // RFC 7617: the user-id cannot contain a colon, so such a user could never log in.
            if (user.Contains(':'))
            {
                throw Error(k, $"{Section}.{user}", "user names cannot contain ':'");
            }

            var full = $"{Section}.{user}";
            var hash = Str(value, full);
            if (string.IsNullOrEmpty(hash))
            {
                throw Error(k, full, "missing bcrypt password hash");
            }

            // The hash is a secret: the message describes the expected shape without echoing it.
            if (!Bcrypt.IsWellFormedHash(hash))
            {
                throw Error(k, full, "not a bcrypt hash (want $2a$, $2b$ or $2y$, a cost from 04 to 31 and 53 more characters)");
            }

            // Every failed login (and every unknown user) pays one hash at this cost: past 2^15 rounds that is
            // seconds per request, which a scraper cannot wait for and an attacker can use to load the CPU.
            if (Bcrypt.Cost(hash) > MaxCost)
            {
                throw Error(k, full, $"bcrypt cost {Bcrypt.Cost(hash)} is too high to check per request (at most {MaxCost}; 10 is usual)");
            }

            users[user] = hash;
        }

        return users;
    }

    private string ReadReferenced(string file, YamlNode? keyNode, string key, List<string> files)
    {
        var full = System.IO.Path.GetFullPath(System.IO.Path.Combine(_directory, file));
        files.Add(full);
        return ReadText(full, keyNode, key);
    }

    private string ReadText(string file, YamlNode? keyNode, string key)
    {
        // Before any open: a FIFO would block the open, and with it start-up or every later reload.
        if (Configuration.RegularFile.NotRegular(file) is { } what)
        {
            throw keyNode is null
                ? new WebConfigException($"web config {_path}: is {what}, not a regular file")
                : Error(keyNode, key, $"{file} is {what}, not a regular file");
        }

        try
        {
            return File.ReadAllText(file);
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            throw keyNode is null
                ? new WebConfigException($"web config {_path}: file not found")
                : Error(keyNode, key, $"file {file} not found");
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw keyNode is null
                ? new WebConfigException($"web config {_path}: cannot read: {e.Message}")
                : Error(keyNode, key, $"cannot read {file}: {e.Message}");
        }
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

    private bool Bool(YamlNode value, string key, bool fallback)
    {
        var text = Str(value, key);
        if (string.IsNullOrEmpty(text))
        {
            return fallback;
        }

        return bool.TryParse(text, out var result)
            ? result
            : throw Error(value, key, $"want true or false, not \"{text}\"");
    }

    private string? Str(YamlNode value, string key) => value switch
    {
        YamlScalarNode s when IsNull(s) => null,
        YamlScalarNode s => s.Value ?? "",
        _ => throw Error(value, key, "want a single value, not a list or a map"),
    };

    private string KeyName(YamlNode key, string? section) => key switch
    {
        YamlScalarNode { Value: var v } => v ?? "",
        _ => throw Error(key, section ?? "top level", "keys must be plain strings"),
    };

    private YamlMappingNode AsMapping(YamlNode node, string key) => node as YamlMappingNode
        ?? throw Error(node, key, "want a map of keys to values");

    private static bool IsNull(YamlNode node) =>
        node is YamlScalarNode { Style: ScalarStyle.Plain or ScalarStyle.Any, Value: null or "" or "~" or "null" or "Null" or "NULL" };

    private WebConfigException Unsupported(YamlNode node, string key) =>
        Error(node, key, "not supported by datahub_exporter; remove it");

    private WebConfigException Error(YamlNode? node, string key, string problem) =>
        new(node is null
            ? $"web config {_path}: {key}: {problem}"
            : $"web config {_path}:{node.Start.Line.ToString(CultureInfo.InvariantCulture)}: {key}: {problem}");

    private static string ShortName(string key) => key[(key.LastIndexOf('.') + 1)..];

    [GeneratedRegex(@"^\(Line: \d+, Col: \d+, Idx: \d+\) - \(Line: \d+, Col: \d+, Idx: \d+\): ")]
    private static partial Regex YamlPosition();
}
