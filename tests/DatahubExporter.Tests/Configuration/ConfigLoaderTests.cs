using DatahubExporter.Configuration;

namespace DatahubExporter.Tests.Configuration;

public class ConfigLoaderTests
{
    private const string Id = "AKIDEXAMPLE0000000000000000001234";
    private const string Key = "SecretKeyDoNotLeak0000000000000";

    private static string TestData(string name) =>
        Path.Combine(TestContext.CurrentContext.TestDirectory, "testdata", "config", name);

    private static Func<string, string?> Env(params (string Name, string? Value)[] variables) =>
        name => variables.FirstOrDefault(v => v.Name == name).Value;

    private static readonly Func<string, string?> NoEnv = Env();

    // One bad file per error, with the exact line the user sees ({path} is the file's full path).
    [TestCase("bad_binary.conf", "{path}: not a text file (NUL byte at offset 54)")]
    [TestCase("bad_not_utf8.conf", "{path}: not UTF-8 text (invalid byte at offset 24)")]
    [TestCase("bad_syntax.conf", "{path}:3: syntax error: expected \"[section]\" or \"key = value\"")]
    [TestCase("bad_section_syntax.conf", "{path}:1: syntax error: expected \"[section]\" or \"key = value\"")]
    [TestCase("bad_empty_key_name.conf", "{path}:2: syntax error: empty key name before \"=\"")]
    [TestCase("bad_key_outside_section.conf", "{path}:1: key \"secret_id\" is outside any section (put it under [common])")]
    [TestCase("bad_missing_common.conf", "{path}: missing section [common]")]
    [TestCase("bad_missing_secret_id.conf", "{path}: missing key \"secret_id\" in [common] (or set TENCENTCLOUD_SECRET_ID)")]
    [TestCase("bad_missing_secret_key.conf", "{path}: missing key \"secret_key\" in [common] (or set TENCENTCLOUD_SECRET_KEY)")]
    [TestCase("bad_missing_region.conf", "{path}: missing key \"region\" in [common] (or set TENCENTCLOUD_REGION)")]
    [TestCase("bad_empty_value.conf", "{path}:3: key \"secret_key\" in [common] has an empty value")]
    [TestCase("bad_empty_quoted_value.conf", "{path}:3: key \"secret_key\" in [common] has an empty value")]
    [TestCase("bad_empty_region_list.conf", "{path}:4: key \"region\" in [common]: no region given")]
    [TestCase("bad_unknown_key.conf", "{path}:3: unknown key \"secrte_key\" in [common] (known: secret_id, secret_key, region, token, endpoint, credential_source, role_name, task_name_include, task_name_exclude, resource_name_include, resource_name_exclude, task_lag_group)")]
    [TestCase("bad_unknown_key_case.conf", "{path}:2: unknown key \"Secret_Id\" in [common] (known: secret_id, secret_key, region, token, endpoint, credential_source, role_name, task_name_include, task_name_exclude, resource_name_include, resource_name_exclude, task_lag_group)")]
    [TestCase("bad_unknown_section.conf", "{path}:1: unknown section [default] (sections are [common] and [account.NAME])")]
    [TestCase("bad_unknown_second_section.conf", "{path}:6: unknown section [profile] (sections are [common] and [account.NAME])")]
    [TestCase("bad_account_name.conf", "{path}:6: section [account.prod env]: the account name must be 1 to 64 letters, digits, '_' or '-'")]
    [TestCase("bad_account_duplicate.conf", "{path}:9: duplicate section [account.prod]")]
    [TestCase("bad_account_role_arn.conf", "{path}:7: key \"role_arn\" in [account.prod]: \"qcs::cam::uin/prod:roleName/Reader\" is not qcs::cam::uin/<digits>:roleName/<name> or qcs::cam::uin/<digits>:role/<id>")]
    [TestCase("bad_account_role_duration.conf", "{path}:8: key \"role_duration_seconds\" in [account.prod]: \"43201\" is not a whole number of seconds from 1 to 43200")]
    [TestCase("bad_account_role_duration_zero.conf", "{path}:8: key \"role_duration_seconds\" in [account.prod]: \"0\" is not a whole number of seconds from 1 to 43200")]
    [TestCase("bad_role_arn_in_common.conf", "{path}:4: unknown key \"role_arn\" in [common] (known: secret_id, secret_key, region, token, endpoint, credential_source, role_name, task_name_include, task_name_exclude, resource_name_include, resource_name_exclude, task_lag_group)")]
    [TestCase("bad_account_missing_region.conf", "{path}: missing key \"region\" in [account.prod] (or in [common], or set TENCENTCLOUD_REGION)")]
    [TestCase("bad_account_missing_secret_id.conf", "{path}: missing key \"secret_id\" in [account.staging]")]
    [TestCase("bad_account_filter.conf", "{path}:7: key \"task_name_include\" in [account.staging]: \"prod-(\" is not a valid regular expression: Not enough )'s at offset 6")]
    [TestCase("bad_duplicate_key.conf", "{path}:4: duplicate key \"secret_id\" in [common]")]
    [TestCase("bad_duplicate_section.conf", "{path}:3: duplicate section [common]")]
    [TestCase("bad_region.conf", "{path}:4: key \"region\" in [common]: \"Guangzhou\" is not a region id such as ap-guangzhou")]
    [TestCase("bad_region_in_list.conf", "{path}:4: key \"region\" in [common]: \"ap_shanghai\" is not a region id such as ap-guangzhou")]
    [TestCase("bad_region_inline_hash.conf", "{path}:4: key \"region\" in [common]: \"ap-guangzhou#primary\" is not a region id such as ap-guangzhou")]
    [TestCase("bad_endpoint_scheme.conf", "{path}:5: key \"endpoint\" in [common]: \"ftp://ckafka.tencentcloudapi.com\": scheme \"ftp\" is not http or https")]
    [TestCase("bad_endpoint_path.conf", "{path}:5: key \"endpoint\" in [common]: \"https://ckafka.tencentcloudapi.com/v3\": path \"/v3\" is not allowed (the API lives at /)")]
    [TestCase("bad_endpoint_query.conf", "{path}:5: key \"endpoint\" in [common]: \"https://ckafka.tencentcloudapi.com/?a=b\": a query is not allowed")]
    [TestCase("bad_endpoint_userinfo.conf", "{path}:5: key \"endpoint\" in [common]: \"http://127.0.0.1:9100/\": user info is not allowed")]
    [TestCase("bad_endpoint_unparsable_userinfo.conf", "{path}:5: key \"endpoint\" in [common]: \"https://bad host\" is not a host name or an http(s) URL")]
    [TestCase("bad_endpoint_host.conf", "{path}:5: key \"endpoint\" in [common]: \"not a host\" is not a host name or an http(s) URL")]
    [TestCase("bad_credential_source.conf", "{path}:4: key \"credential_source\" in [common]: \"instance_role\" is not one of auto, static, profile, oidc, cvm_role")]
    [TestCase("bad_role_name.conf", "{path}:3: key \"role_name\" in [common]: \"datahub/reader\" is not a CAM role name (letters, digits and +=,.@_- only)")]
    [TestCase("bad_task_name_include.conf", "{path}:3: key \"task_name_include\" in [common]: \"prod-(\" is not a valid regular expression: Not enough )'s at offset 6")]
    [TestCase("bad_task_name_exclude.conf", "{path}:4: key \"task_name_exclude\" in [common]: \"[z-a]\" is not a valid regular expression: [x-y] range in reverse order at offset 4")]
    [TestCase("bad_resource_name_include.conf", "{path}:3: key \"resource_name_include\" in [common]: \"*mysql\" is not a valid regular expression: Quantifier '*' following nothing at offset 1")]
    [TestCase("bad_resource_name_exclude.conf", "{path}:3: key \"resource_name_exclude\" in [common]: \"tmp-\\\" is not a valid regular expression: Illegal \\ at end of pattern at offset 5")]
    [TestCase("bad_resource_name_unanchorable.conf", "{path}:3: key \"resource_name_include\" in [common]: \"(?x)mysql-.+#any\" cannot be anchored as ^(?:…)$ (a comment in the pattern runs to its end?)")]
    [TestCase("bad_task_lag_group.conf", "{path}:3: key \"task_lag_group\" in [common]: \"datahub-sink-group\" does not contain {TaskId}")]
    [TestCase("bad_task_name_backreference.conf", "{path}:3: key \"task_name_include\" in [common]: \"(prod)-\\1\" is not supported: backreference (\\ number); filters are matched in linear time, without backreferences, lookarounds, atomic groups or conditionals")]
    [TestCase("bad_resource_name_lookahead.conf", "{path}:3: key \"resource_name_exclude\" in [common]: \"(?!mysql-).*\" is not supported: negative lookahead (?! pattern) or negative lookbehind (?<! pattern); filters are matched in linear time, without backreferences, lookarounds, atomic groups or conditionals")]
    [TestCase("bad_token_without_keys.conf", "{path}: key \"token\" in [common] needs secret_id and secret_key")]
    public void Bad_file_fails_with_one_exact_line(string file, string expected)
    {
        var path = TestData(file);

        var error = Assert.Throws<ConfigException>(() => QuietChain.Load(path, NoEnv));

        Assert.That(error!.Message, Is.EqualTo(expected.Replace("{path}", path)));
    }

    [Test]
    public void Account_sections_override_common_and_inherit_the_rest()
    {
        var config = QuietChain.Load(TestData("good_accounts.conf"), NoEnv);

        var accounts = config.Accounts;
        Assert.That(accounts.Select(a => a.Account), Is.EqualTo(new[] { "prod", "staging", "shared-role", "empty" }));
        var (prod, staging, sharedRole, empty) = (accounts[0], accounts[1], accounts[2], accounts[3]);
        Assert.That(prod.Regions, Is.EqualTo(new[] { "ap-guangzhou", "ap-shanghai" }));
        Assert.That(prod.RoleArn, Is.EqualTo("qcs::cam::uin/100000000001:roleName/DatahubExporterReader"));
        Assert.That(prod.Credentials.Source, Is.EqualTo("assume_role"));
        Assert.That(prod.RoleBase, Is.SameAs(config.Credentials), "the role is assumed with [common]'s keys");
        Assert.That(prod.TaskFilter.Keeps("tmp-x"), Is.False, "[common]'s filter is inherited");
        Assert.That(staging.Credentials.Current, Is.EqualTo(new Credentials("AKIDSTAGING00000000000000000005678", "SecretKeyDoNotLeakStaging000000", null)));
        Assert.That(staging.Endpoint, Is.EqualTo(new Uri("http://127.0.0.1:9100/")));
        Assert.That((staging.TaskFilter.Keeps("tmp-x"), staging.TaskFilter.Keeps("test-x")), Is.EqualTo((true, false)), "an account's filter replaces [common]'s");
        Assert.That(staging.Regions, Is.EqualTo(new[] { "ap-guangzhou" }));
        Assert.That(empty.Credentials, Is.SameAs(config.Credentials), "an account without keys of its own shares [common]'s provider");
        Assert.That(sharedRole.RoleBase, Is.SameAs(config.Credentials));
        Assert.That(config.CredentialProviders(), Has.Count.EqualTo(4), "common, prod's role, staging's keys, shared-role's role");
        Assert.That(config.SharedBudgetWarnings(), Is.EqualTo(new[]
        {
            $"{config.SourcePath}: accounts prod, shared-role use the same role_arn: they share one real API rate limit",
        }));
    }

    [Test]
    public void Without_account_sections_the_configuration_is_its_only_account()
    {
        var config = QuietChain.Load(TestData("good_minimal.conf"), NoEnv);

        Assert.That(config.Accounts, Is.EqualTo(new[] { config }));
        Assert.That(config.Account, Is.Null);
        Assert.That(config.AccountSections, Is.Null);
    }

    [Test]
    public void No_error_message_contains_a_secret()
    {
        var messages = Directory.GetFiles(TestData(""), "bad_*.conf")
            .Select(path => Assert.Throws<ConfigException>(() => QuietChain.Load(path, NoEnv))!.Message)
            .ToList();

        Assert.That(messages, Has.Count.GreaterThanOrEqualTo(25));
        Assert.That(messages, Has.None.Contains("DoNotLeak"));
        Assert.That(messages, Has.None.Contains("\n"));
    }

    [Test]
    public void Missing_file_fails_and_names_the_variables_that_would_replace_it()
    {
        var path = TestData("does_not_exist.conf");

        var error = Assert.Throws<ConfigException>(() => QuietChain.Load(path, Env(("TENCENTCLOUD_SECRET_ID", Id))));

        Assert.That(error!.Message, Is.EqualTo($"{path}: file not found (or set TENCENTCLOUD_REGION, with TENCENTCLOUD_SECRET_ID and TENCENTCLOUD_SECRET_KEY unless a credentials profile, TKE OIDC or the CVM role supplies the keys)"));
    }

    [Test]
    public void Directory_instead_of_file_fails()
    {
        var path = TestData("");

        var error = Assert.Throws<ConfigException>(() => QuietChain.Load(path, NoEnv));

        Assert.That(error!.Message, Is.EqualTo($"{path}: is a directory, not a config file"));
    }

    [TestCase("good_minimal.conf")]
    [TestCase("good_bom.conf")]
    [TestCase("good_crlf.conf")]
    [TestCase("good_comments.conf")]
    [TestCase("good_quoted.conf")]
    public void Good_file_loads_credentials_and_region(string file)
    {
        var path = TestData(file);

        var config = QuietChain.Load(path, NoEnv);

        Assert.That(config.Credentials.Current, Is.EqualTo(new Credentials(Id, Key, null)));
        Assert.That(config.Regions, Is.EqualTo(new[] { "ap-guangzhou" }));
        Assert.That(config.Endpoint, Is.Null);
        Assert.That(config.SourcePath, Is.EqualTo(path));
        Assert.That(config.EndpointFor("ap-guangzhou"), Is.EqualTo(new Uri("https://ckafka.ap-guangzhou.tencentcloudapi.com/")));
    }

    [Test]
    public void Regions_are_trimmed_and_deduplicated_in_written_order()
    {
        var config = QuietChain.Load(TestData("good_multi_region.conf"), NoEnv);

        Assert.That(config.Regions, Is.EqualTo(new[] { "ap-guangzhou", "ap-shanghai-fsi", "na-siliconvalley" }));
    }

    [Test]
    public void Token_is_read_from_the_file()
    {
        var config = QuietChain.Load(TestData("good_token.conf"), NoEnv);

        Assert.That(config.Credentials.Current!.Token, Is.EqualTo("TokenDoNotLeak"));
    }

    [TestCase("good_endpoint_host.conf", "https://ckafka.tencentcloudapi.com/")]
    [TestCase("good_endpoint_http_url.conf", "http://127.0.0.1:9100/")]
    [TestCase("good_endpoint_https_slash.conf", "https://ckafka.ap-shanghai-fsi.tencentcloudapi.com/")]
    [TestCase("good_endpoint_ipv6.conf", "http://[::1]:9100/")]
    public void Endpoint_becomes_an_absolute_url(string file, string expected)
    {
        var config = QuietChain.Load(TestData(file), NoEnv);

        Assert.That(config.Endpoint, Is.EqualTo(new Uri(expected)));
        Assert.That(config.Endpoint!.ToString(), Is.EqualTo(expected));
        Assert.That(config.EndpointFor("ap-beijing"), Is.EqualTo(new Uri(expected)));
    }

    [Test]
    public void Environment_overrides_every_value_of_the_file()
    {
        var env = Env(("TENCENTCLOUD_SECRET_ID", "AKIDFROMENV"), ("TENCENTCLOUD_SECRET_KEY", "keyfromenv"),
            ("TENCENTCLOUD_TOKEN", "tokenfromenv"), ("TENCENTCLOUD_REGION", " ap-beijing , ap-beijing,ap-chengdu "));

        var config = QuietChain.Load(TestData("good_token.conf"), env);

        Assert.That(config.Credentials.Current, Is.EqualTo(new Credentials("AKIDFROMENV", "keyfromenv", "tokenfromenv")));
        Assert.That(config.Regions, Is.EqualTo(new[] { "ap-beijing", "ap-chengdu" }));
    }

    [Test]
    public void A_token_in_the_file_is_not_sent_with_a_key_pair_from_the_environment()
    {
        // A temporary token belongs to its own temporary key pair; mixing sources would fail every call.
        var env = Env(("TENCENTCLOUD_SECRET_ID", "AKIDFROMENV"), ("TENCENTCLOUD_SECRET_KEY", "keyfromenv"));

        var config = QuietChain.Load(TestData("good_token.conf"), env);

        Assert.That(config.Credentials.Current, Is.EqualTo(new Credentials("AKIDFROMENV", "keyfromenv", null)));
    }

    [Test]
    public void A_token_in_the_file_goes_with_a_key_pair_from_the_file()
    {
        var config = QuietChain.Load(TestData("good_token.conf"), Env(("TENCENTCLOUD_REGION", "ap-beijing")));

        Assert.That(config.Credentials.Current!.Token, Is.EqualTo("TokenDoNotLeak"));
    }

    [Test]
    public void Empty_environment_variables_do_not_override()
    {
        var env = Env(("TENCENTCLOUD_SECRET_ID", ""), ("TENCENTCLOUD_SECRET_KEY", "  "), ("TENCENTCLOUD_REGION", ""));

        var config = QuietChain.Load(TestData("good_minimal.conf"), env);

        Assert.That(config.Credentials.Current, Is.EqualTo(new Credentials(Id, Key, null)));
        Assert.That(config.Regions, Is.EqualTo(new[] { "ap-guangzhou" }));
    }

    [Test]
    public void Environment_fills_a_key_the_file_lacks()
    {
        var config = QuietChain.Load(TestData("bad_missing_secret_key.conf"), Env(("TENCENTCLOUD_SECRET_KEY", "keyfromenv")));

        Assert.That(config.Credentials.Current, Is.EqualTo(new Credentials(Id, "keyfromenv", null)));
    }

    [Test]
    public void Environment_alone_suffices_when_the_file_is_missing()
    {
        var path = TestData("does_not_exist.conf");
        var env = Env(("TENCENTCLOUD_SECRET_ID", Id), ("TENCENTCLOUD_SECRET_KEY", Key), ("TENCENTCLOUD_REGION", "ap-shanghai"));

        var config = QuietChain.Load(path, env);

        Assert.That(config.Credentials.Current, Is.EqualTo(new Credentials(Id, Key, null)));
        Assert.That(config.Regions, Is.EqualTo(new[] { "ap-shanghai" }));
        Assert.That(config.Endpoint, Is.Null);
        Assert.That(config.SourcePath, Is.EqualTo(path));
    }

    [Test]
    public void Environment_alone_suffices_when_the_file_has_no_common_section()
    {
        var env = Env(("TENCENTCLOUD_SECRET_ID", Id), ("TENCENTCLOUD_SECRET_KEY", Key), ("TENCENTCLOUD_REGION", "ap-shanghai"));

        var config = QuietChain.Load(TestData("bad_missing_common.conf"), env);

        Assert.That(config.Regions, Is.EqualTo(new[] { "ap-shanghai" }));
    }

    [Test]
    public void Environment_does_not_excuse_a_bad_file()
    {
        var path = TestData("bad_unknown_key.conf");
        var env = Env(("TENCENTCLOUD_SECRET_ID", Id), ("TENCENTCLOUD_SECRET_KEY", Key), ("TENCENTCLOUD_REGION", "ap-shanghai"));

        Assert.That(() => QuietChain.Load(path, env), Throws.TypeOf<ConfigException>());
    }

    [Test]
    public void Bad_region_in_the_environment_names_the_variable()
    {
        var error = Assert.Throws<ConfigException>(() => QuietChain.Load(TestData("good_minimal.conf"), Env(("TENCENTCLOUD_REGION", "Shanghai"))));

        Assert.That(error!.Message, Is.EqualTo("environment variable TENCENTCLOUD_REGION: \"Shanghai\" is not a region id such as ap-guangzhou"));
    }

    [TestCase("Rk3bXq9ZpLw2Nc7Vd4Ht8Ys1Ja6Ue0Mo", "\"Rk3b…\" (32 characters, cut: it may be a secret)")]
    [TestCase("ap_guangzhou_but_much_longer", "\"ap_g…\" (28 characters, cut: it may be a secret)")]
    [TestCase("ap_guangzhou", "\"ap_guangzhou\"")]
    public void A_value_quoted_in_a_region_error_is_cut_when_it_may_be_a_secret(string region, string shown)
    {
        var error = Assert.Throws<ConfigException>(() => QuietChain.Load(TestData("good_minimal.conf"), Env(("TENCENTCLOUD_REGION", region))));

        Assert.That(error!.Message, Is.EqualTo($"environment variable TENCENTCLOUD_REGION: {shown} is not a region id such as ap-guangzhou"));
    }

    [Test]
    public void World_readable_file_gives_a_warning_and_one_readable_by_the_exporters_group_does_not()
    {
        if (OperatingSystem.IsWindows())
        {
            Assert.Ignore("Unix file modes only");
            return; // Assert.Ignore throws, but the platform analyzer (CA1416) cannot see that
        }

        using var temp = new TempDirectory();
        var path = temp.Write("datahub_exporter.conf", "[common]\nsecret_key = x\n",
            UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead);
        Assert.That(ConfigLoader.Warnings(path), Is.EqualTo(new[] { $"{path}: readable by every user (mode 0644) although it holds secret_key; chmod o-r it" }));

        File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        Assert.That(ConfigLoader.Warnings(path), Is.Empty);

        // The systemd recipe: 0640 with the service's group. A new file has this process's group, so it stands in.
        File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead);
        Assert.That(ConfigLoader.Warnings(path), Is.Empty);

        // Without a key there is nothing to protect: a role-credentials config may be world-readable.
        File.WriteAllText(path, "[common]\nregion = ap-guangzhou\n");
        File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead);
        Assert.That(ConfigLoader.Warnings(path), Is.Empty);
    }

    [TestCase(0b110_100_100, 0u, new uint[] { 0 }, "/c: readable by every user (mode 0644) although it holds secret_key; chmod o-r it")]
    [TestCase(0b110_100_000, 990u, new uint[] { 0, 990 }, null, TestName = "Group_readable_by_a_group_of_the_exporter_gives_no_warning")]
    [TestCase(0b110_100_000, 990u, new uint[] { 0 },
        "/c: readable by group 990, not one of the exporter's (mode 0640) although it holds secret_key; chmod 600 it or chgrp it to the exporter's group")]
    [TestCase(0b110_100_000, null, null, "/c: readable by its group (mode 0640) although it holds secret_key; chmod 600 it or chgrp it to the exporter's group")]
    [TestCase(0b110_000_000, 990u, new uint[] { 0 }, null)]
    [TestCase(0b100_000_100, 0u, new uint[] { 0 }, "/c: readable by every user (mode 0404) although it holds secret_key; chmod o-r it")]
    public void Permission_warning_names_who_else_can_read_the_keys(int mode, uint? fileGroup, uint[]? processGroups, string? expected)
    {
        Assert.That(ConfigLoader.PermissionWarning("/c", (UnixFileMode)mode, fileGroup, processGroups), Is.EqualTo(expected));
    }

    [Test]
    public void Filters_are_read_anchored_and_exclude_wins()
    {
        var config = QuietChain.Load(TestData("good_filters.conf"), NoEnv);

        string[] tasks = ["prod-orders", "prod-orders-canary", "test-prod-orders", "prod-"];
        string[] resources = ["mysql-main", "es-logs", "es-logs-tmp", "cos-archive", "mysql-"];
        Assert.That(tasks.Where(config.TaskFilter.Keeps), Is.EqualTo(new[] { "prod-orders", "prod-" }));
        Assert.That(resources.Where(config.ResourceFilter.Keeps), Is.EqualTo(new[] { "mysql-main", "es-logs" }));
    }

    [Test]
    public void Task_lag_group_replaces_the_task_id_in_its_pattern()
    {
        var config = QuietChain.Load(TestData("good_task_lag_group.conf"), NoEnv);

        Assert.That(config.TaskLagGroup.For("task-abc"), Is.EqualTo("connect-task-abc-sink"));
    }

    [Test]
    public void Task_lag_group_defaults_to_datahub_and_the_task_id()
    {
        var config = QuietChain.Load(TestData("good_minimal.conf"), NoEnv);

        Assert.That(config.TaskLagGroup.For("task-abc"), Is.EqualTo("datahub-task-abc"));
    }

    [Test]
    public void Without_filters_everything_is_kept()
    {
        var config = QuietChain.Load(TestData("good_minimal.conf"), NoEnv);

        Assert.That((config.TaskFilter.IsAll, config.ResourceFilter.IsAll), Is.EqualTo((true, true)));
    }

    [Test]
    public void A_file_without_keys_is_valid_and_the_role_settings_reach_the_chain()
    {
        var config = QuietChain.Load(TestData("good_role.conf"), NoEnv);

        Assert.That(config.Credentials.Source, Is.EqualTo("cvm_role"));
        Assert.That(config.Credentials.Detail, Is.EqualTo("role=datahub-reader metadata=http://metadata.tencentyun.com/"));
        Assert.That(config.Credentials.Current, Is.Null, "nothing is fetched while loading");
    }

    [Test]
    public void The_region_in_the_environment_is_enough_without_a_file()
    {
        var env = Env(("TENCENTCLOUD_REGION", "ap-shanghai"), ("DATAHUB_EXPORTER_METADATA_URL", "http://127.0.0.1:9"), ("HOME", "/nonexistent"));

        using var provider = QuietChain.Load(TestData("does_not_exist.conf"), env).Credentials;

        Assert.That(provider.Source, Is.EqualTo("cvm_role"));
    }

    [Test]
    public void Missing_file_has_no_warnings()
    {
        Assert.That(ConfigLoader.Warnings(TestData("does_not_exist.conf")), Is.Empty);
    }
}
