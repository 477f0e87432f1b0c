using DatahubExporter.Configuration;
using YamlDotNet.RepresentationModel;

namespace DatahubExporter.Tests.Prometheus;

/// <summary>The role-credential and filter parts of examples/: the commented keys of the example config work
/// when uncommented, and the Kubernetes OIDC variant is wired the way the exporter reads it.</summary>
public class ExampleRoleSettingsTests
{
    private static readonly string[] NewKeys =
        ["credential_source", "role_name", "task_name_include", "task_name_exclude", "resource_name_include", "resource_name_exclude"];

    [Test]
    public void Uncommenting_the_new_keys_of_the_example_config_gives_a_working_file()
    {
        using var temp = new TempDirectory("example-role-");
        var dir = temp.Path;
        var lines = File.ReadAllLines(PrometheusTools.RepoPath("examples/datahub_exporter.conf"))
            .Select(l => NewKeys.Any(k => l.StartsWith(";" + k + " =", StringComparison.Ordinal)) ? l[1..] : l)
            // Keys out, as a role user would have them: the chain is pinned to the CVM role instead.
            .Where(l => !l.StartsWith("secret_", StringComparison.Ordinal));
        var path = Path.Combine(dir, "datahub_exporter.conf");
        File.WriteAllLines(path, lines);

        var config = QuietChain.Load(path, _ => null);

        Assert.That(config.Credentials.Source, Is.EqualTo("cvm_role"));
        Assert.That(config.Credentials.Detail, Does.StartWith("role=datahub-exporter-reader "));
        Assert.That(new[] { "prod-orders", "prod-orders-canary", "dev-orders" }.Where(config.TaskFilter.Keeps), Is.EqualTo(new[] { "prod-orders" }));
        Assert.That(new[] { "mysql-main", "es-logs-tmp", "cos-archive" }.Where(config.ResourceFilter.Keeps), Is.EqualTo(new[] { "mysql-main" }));
    }

    [Test]
    public void The_oidc_deployment_sets_every_tke_variable_and_mounts_the_token_where_it_points()
    {
        var docs = YamlTree.LoadAll(PrometheusTools.RepoPath("examples/kubernetes/oidc/deployment.yaml")).Select(d => (YamlMappingNode)d.RootNode).ToList();
        var account = docs.Single(d => YamlTree.Scalar(d, "kind") == "ServiceAccount");
        var deployment = docs.Single(d => YamlTree.Scalar(d, "kind") == "Deployment");
        var pod = YamlTree.At(deployment, "spec.template.spec");
        var container = YamlTree.Sequence(pod, "containers").Children.Single();
        var env = YamlTree.Sequence(container, "env").Children.ToDictionary(e => YamlTree.Scalar(e, "name"), e => YamlTree.Scalar(e, "value"));

        Assert.That(YamlTree.Scalar(pod, "serviceAccountName"), Is.EqualTo(YamlTree.Scalar(YamlTree.Child(account, "metadata"), "name")));
        Assert.That(env.Keys, Is.EquivalentTo(new[] { "TENCENTCLOUD_REGION", "TKE_REGION", "TKE_PROVIDER_ID", "TKE_ROLE_ARN", "TKE_WEB_IDENTITY_TOKEN_FILE" }),
            "no key pair: with one the chain would never reach OIDC");

        var tokenFile = env["TKE_WEB_IDENTITY_TOKEN_FILE"];
        var mount = YamlTree.Sequence(container, "volumeMounts").Children.Single(m => tokenFile.StartsWith(YamlTree.Scalar(m, "mountPath") + "/", StringComparison.Ordinal));
        var volume = YamlTree.Sequence(pod, "volumes").Children.Single(v => YamlTree.Scalar(v, "name") == YamlTree.Scalar(mount, "name"));
        var source = YamlTree.Sequence(YamlTree.Child(volume, "projected"), "sources").Children.Single();
        Assert.That(YamlTree.Scalar(YamlTree.Child(source, "serviceAccountToken"), "path"), Is.EqualTo(Path.GetFileName(tokenFile)));

        // Same pod labels as the key-pair deployment, so service.yaml and servicemonitor.yaml serve both.
        var keyPairPod = YamlTree.At(YamlTree.LoadMapping(PrometheusTools.RepoPath("examples/kubernetes/deployment.yaml")), "spec.template.metadata.labels");
        Assert.That(YamlTree.Scalar(YamlTree.At(deployment, "spec.template.metadata.labels"), "app.kubernetes.io/name"),
            Is.EqualTo(YamlTree.Scalar(keyPairPod, "app.kubernetes.io/name")));
    }
}
