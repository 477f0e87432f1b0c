using DatahubExporter.Configuration;
using DatahubExporter.TencentCloud.CredentialSources;
using Microsoft.Extensions.Logging.Abstractions;

namespace DatahubExporter.Tests.TencentCloud.CredentialSources;

/// <summary>Which source the chain picks (exporter.md "Credential chain"): looks only at settings, variables and files.</summary>
public class CredentialChainTests
{
    private static readonly Credentials Pair = new("AKIDchain0000000000001", "chainKeyNeverShown", null);
    private TempDirectory _temp = null!;
    private string _home = null!;
    private CredentialChain _chain = null!;
    private HttpClient _http = null!;

    [SetUp]
    public void SetUp()
    {
        _temp = new TempDirectory("datahub-chain-");
        _home = _temp.Path;
        _http = new HttpClient();
        _chain = new CredentialChain(_http, _http, TimeProvider.System, NullLogger.Instance, new CredentialMetrics())
        {
            SystemProfilePath = Path.Combine(_home, "etc-credentials"),
        };
    }

    [TearDown]
    public void TearDown()
    {
        _http.Dispose();
        _temp.Dispose();
    }

    private Func<string, string?> Env(params (string Name, string Value)[] variables) =>
        name => name == "HOME" ? _home : variables.FirstOrDefault(v => v.Name == name).Value;

    private static readonly (string, string)[] Tke =
    [
        ("TKE_REGION", "ap-guangzhou"), ("TKE_PROVIDER_ID", "p"), ("TKE_WEB_IDENTITY_TOKEN_FILE", "/var/run/token"), ("TKE_ROLE_ARN", "arn"),
    ];

    private string WriteProfile(string path, string text = "[default]\nsecret_id = AKIDprofile00000001\nsecret_key = profileKey\n")
    {
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, text);
        return path;
    }

    private CredentialProvider Resolve(string source, Credentials? pair, Func<string, string?> env, string? role = null) =>
        _chain.Resolve(new CredentialSettings(source, pair, "file", role), env);

    [Test]
    public void A_key_pair_wins_over_everything_else()
    {
        WriteProfile(Path.Combine(_home, ".tencentcloud", "credentials"));

        using var provider = Resolve("auto", Pair, Env(Tke));

        Assert.That((provider.Source, provider.Current), Is.EqualTo(("static", Pair)));
    }

    [Test]
    public void The_profile_file_comes_before_tke_oidc_and_the_cvm_role()
    {
        var path = WriteProfile(Path.Combine(_home, ".tencentcloud", "credentials"));

        using var provider = Resolve("auto", null, Env(Tke));

        Assert.That(provider.Source, Is.EqualTo("profile"));
        Assert.That(provider.Detail, Is.EqualTo($"file={path}"));
        Assert.That(provider.Current, Is.EqualTo(new Credentials("AKIDprofile00000001", "profileKey", null)));
    }

    [Test]
    public void The_profile_variable_names_the_only_file_looked_at()
    {
        WriteProfile(Path.Combine(_home, ".tencentcloud", "credentials"));
        var custom = WriteProfile(Path.Combine(_home, "custom"), "# tccli\n[other]\nsecret_id = nope\n[default]\n  secret_id=AKIDcustom0000001  \nsecret_key = \"quoted\"\n");

        using var provider = Resolve("auto", null, Env(("TENCENTCLOUD_CREDENTIALS_FILE", custom)));

        // Quotes are kept as written, as Go's parser does.
        Assert.That(provider.Current, Is.EqualTo(new Credentials("AKIDcustom0000001", "\"quoted\"", null)));
    }

    [Test]
    public void The_system_profile_file_is_the_last_place_looked()
    {
        WriteProfile(_chain.SystemProfilePath);

        using var provider = Resolve("auto", null, Env());

        Assert.That(provider.Detail, Is.EqualTo($"file={_chain.SystemProfilePath}"));
    }

    [Test]
    public void Tke_oidc_comes_before_the_cvm_role()
    {
        using var provider = Resolve("auto", null, Env(Tke));

        Assert.That(provider.Source, Is.EqualTo("oidc"));
        Assert.That(provider.Detail, Is.EqualTo("role_arn=arn provider_id=p sts=sts.tencentcloudapi.com"));
    }

    [Test]
    public void Nothing_else_found_means_the_cvm_role()
    {
        using var provider = Resolve("auto", null, Env(("TKE_REGION", "ap-guangzhou")), role: "reader");

        Assert.That(provider.Source, Is.EqualTo("cvm_role"));
        Assert.That(provider.Detail, Is.EqualTo("role=reader metadata=http://metadata.tencentyun.com/"));
    }

    [Test]
    public void A_pinned_source_skips_the_ones_before_it()
    {
        WriteProfile(Path.Combine(_home, ".tencentcloud", "credentials"));

        using var cvm = Resolve("cvm_role", Pair, Env(Tke));
        using var oidc = Resolve("oidc", Pair, Env(Tke));

        Assert.That((cvm.Source, oidc.Source), Is.EqualTo(("cvm_role", "oidc")));
    }

    [Test]
    public void Test_overrides_point_the_role_sources_at_loopback()
    {
        using var cvm = Resolve("auto", null, Env(("DATAHUB_EXPORTER_METADATA_URL", "http://127.0.0.1:23001")));
        using var oidc = Resolve("auto", null, Env([.. Tke, ("DATAHUB_EXPORTER_STS_ENDPOINT", "http://127.0.0.1:23002/")]));

        Assert.That(cvm.Detail, Is.EqualTo("role=(discovered) metadata=http://127.0.0.1:23001/"));
        Assert.That(oidc.Detail, Does.EndWith("sts=127.0.0.1:23002"));
    }

    [Test]
    public void Half_of_the_tke_variables_is_an_error_naming_the_missing_ones()
    {
        var error = Assert.Throws<ConfigException>(() => Resolve("auto", null, Env(("TKE_ROLE_ARN", "arn"), ("TKE_REGION", "ap-guangzhou"))));

        Assert.That(error!.Message, Is.EqualTo("TKE OIDC needs TKE_REGION, TKE_PROVIDER_ID, TKE_WEB_IDENTITY_TOKEN_FILE, TKE_ROLE_ARN: TKE_PROVIDER_ID, TKE_WEB_IDENTITY_TOKEN_FILE are not set"));
    }

    [Test]
    public void A_pinned_source_that_is_absent_is_an_error()
    {
        Assert.That(Assert.Throws<ConfigException>(() => Resolve("static", null, Env()))!.Message,
            Is.EqualTo("credential_source = static needs secret_id and secret_key in [common] (or TENCENTCLOUD_SECRET_ID and TENCENTCLOUD_SECRET_KEY)"));
        Assert.That(Assert.Throws<ConfigException>(() => Resolve("profile", null, Env()))!.Message,
            Is.EqualTo($"credential_source = profile but no profile file exists (looked for {Path.Combine(_home, ".tencentcloud", "credentials")}, {_chain.SystemProfilePath})"));
    }

    [Test]
    public void A_profile_variable_pointing_nowhere_is_an_error()
    {
        var error = Assert.Throws<ConfigException>(() => Resolve("auto", null, Env(("TENCENTCLOUD_CREDENTIALS_FILE", "/nonexistent/credentials"))));

        Assert.That(error!.Message, Is.EqualTo("environment variable TENCENTCLOUD_CREDENTIALS_FILE: /nonexistent/credentials: file not found"));
    }

    [Test]
    public void A_profile_without_a_key_names_the_file_and_key()
    {
        var path = WriteProfile(Path.Combine(_home, ".tencentcloud", "credentials"), "[default]\nsecret_id = AKIDprofile00000001\n");

        var error = Assert.Throws<ConfigException>(() => Resolve("auto", null, Env()));

        Assert.That(error!.Message, Is.EqualTo($"{path}: missing key \"secret_key\" in [default]"));
    }

    [Test]
    public void A_bad_override_url_names_the_variable()
    {
        var error = Assert.Throws<ConfigException>(() => Resolve("auto", null, Env(("DATAHUB_EXPORTER_METADATA_URL", "ftp://x"))));

        Assert.That(error!.Message, Is.EqualTo("environment variable DATAHUB_EXPORTER_METADATA_URL: \"ftp://x\" is not a host name or an http(s) URL"));
    }

    [Test]
    public async Task A_failed_cvm_role_in_auto_mode_lists_everything_tried_in_order()
    {
        // Port 9 on loopback refuses at once: no waiting for a timeout.
        using var provider = Resolve("auto", null, Env(("DATAHUB_EXPORTER_METADATA_URL", "http://127.0.0.1:9")));

        var error = Assert.ThrowsAsync<CredentialException>(() => provider.StartAsync(CancellationToken.None));

        Assert.That(error!.Message, Does.StartWith(
            "no credentials found; tried in order: key pair ([common] secret_id/secret_key, TENCENTCLOUD_SECRET_ID/TENCENTCLOUD_SECRET_KEY): not set; " +
            $"profile file ({Path.Combine(_home, ".tencentcloud", "credentials")}, {_chain.SystemProfilePath}): not found; " +
            "TKE OIDC (TKE_REGION, TKE_PROVIDER_ID, TKE_WEB_IDENTITY_TOKEN_FILE, TKE_ROLE_ARN): not set; " +
            "cvm_role: CVM metadata http://127.0.0.1:9/: "));
        await Task.CompletedTask;
    }
}
