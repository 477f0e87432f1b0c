using YamlDotNet.RepresentationModel;

namespace DatahubExporter.Tests.Prometheus;

/// <summary>examples/kubernetes/: valid YAML, wired together (names, ports, labels), rules identical to rules/.</summary>
public class KubernetesManifestTests
{
    private const string Folder = "examples/kubernetes";
    private const string AppLabel = "datahub-exporter";

    private static IEnumerable<string> ManifestFiles() =>
        Directory.EnumerateFiles(PrometheusTools.RepoPath(Folder), "*.yaml").Order(StringComparer.Ordinal);

    [Test]
    public void Every_manifest_is_yaml_with_kind_apiVersion_and_name()
    {
        var kinds = new List<string>();
        foreach (var file in ManifestFiles())
        {
            var docs = YamlTree.LoadAll(file);
            Assert.That(docs, Is.Not.Empty, file);
            foreach (var doc in docs)
            {
                Assert.That(YamlTree.Scalar(doc.RootNode, "apiVersion"), Is.Not.Empty, file);
                Assert.That(YamlTree.Scalar(YamlTree.Child(doc.RootNode, "metadata"), "name"), Is.EqualTo(ExpectedName(doc.RootNode)), file);
                kinds.Add(YamlTree.Scalar(doc.RootNode, "kind"));
            }
        }

        Assert.That(kinds, Is.EquivalentTo(new[] { "Deployment", "PrometheusRule", "Secret", "Service", "ServiceMonitor" }));
    }

    [TestCase("deployment.yaml")]
    [TestCase("oidc/deployment.yaml")]
    public void Deployment_names_the_image_the_build_produces_and_its_user(string file)
    {
        // The Dockerfile's tag and build-image.sh's default tag are the image the Deployments run, as the same user.
        const string Image = "localhost/datahub-exporter:latest";
        var dockerfile = File.ReadAllText(PrometheusTools.RepoPath("Dockerfile"));
        var script = File.ReadAllText(PrometheusTools.RepoPath("tests/scripts/build-image.sh"));
        Assert.That(dockerfile, Does.Contain($"-t {Image} .").And.Contain("\nUSER 65534:65534\n"));
        Assert.That(script, Does.Contain($"tag=${{2:-{Image}}}").And.Contain("uid=65534"));

        var deployment = YamlTree.LoadAll(Path.Combine(PrometheusTools.RepoPath(Folder), file)).Select(d => d.RootNode)
            .Single(d => YamlTree.Scalar(d, "kind") == "Deployment");
        var pod = YamlTree.At(deployment, "spec.template.spec");
        var container = (YamlMappingNode)((YamlSequenceNode)YamlTree.Child(pod, "containers")).Children.Single();
        Assert.That(YamlTree.Scalar(container, "image"), Is.EqualTo(Image));
        Assert.That(YamlTree.Scalar(YamlTree.Child(pod, "securityContext"), "runAsUser"), Is.EqualTo("65534"));
    }

    [Test]
    public void PrometheusRule_groups_equal_the_rules_file_groups()
    {
        var rule = Manifest("prometheusrule.yaml");
        var rulesFile = YamlTree.LoadMapping(PrometheusTools.RepoPath("rules/datahub_exporter.rules.yml"));

        Assert.That(
            YamlTree.ToCanonicalJson(YamlTree.At(rule, "spec.groups")),
            Is.EqualTo(YamlTree.ToCanonicalJson(YamlTree.Child(rulesFile, "groups"))),
            "examples/kubernetes/prometheusrule.yaml spec.groups drifted from rules/datahub_exporter.rules.yml; copy the groups over");
    }

    [Test]
    public void Canonical_form_tells_different_rules_apart()
    {
        // The equality above must be able to fail: one changed threshold is a difference.
        var a = Parse("groups: [{name: g, rules: [{alert: A, expr: 'x > 3', for: 2m}]}]");
        var b = Parse("groups:\n  - name: g\n    rules:\n      - {for: 2m, expr: \"x > 4\", alert: A}\n");
        var c = Parse("groups:\n  - name: g\n    rules:\n      - {for: 2m, expr: \"x > 3\", alert: A}\n");

        Assert.That(YamlTree.ToCanonicalJson(b), Is.Not.EqualTo(YamlTree.ToCanonicalJson(a)));
        Assert.That(YamlTree.ToCanonicalJson(c), Is.EqualTo(YamlTree.ToCanonicalJson(a)));
    }

    [Test]
    public void Deployment_probes_health_endpoints_runs_as_non_root_and_takes_credentials_from_the_secret()
    {
        var deployment = Manifest("deployment.yaml");
        var pod = YamlTree.At(deployment, "spec.template.spec");
        var container = YamlTree.Sequence(pod, "containers").Children.Single();
        var secretName = YamlTree.Scalar(YamlTree.Child(Manifest("secret.yaml"), "metadata"), "name");

        Assert.That(YamlTree.Scalar(YamlTree.At(pod, "securityContext"), "runAsNonRoot"), Is.EqualTo("true"));
        Assert.That(YamlTree.Scalar(YamlTree.At(container, "livenessProbe.httpGet"), "path"), Is.EqualTo("/-/healthy"));
        Assert.That(YamlTree.Scalar(YamlTree.At(container, "readinessProbe.httpGet"), "path"), Is.EqualTo("/-/ready"));
        var port = YamlTree.Sequence(container, "ports").Children.Single();
        Assert.That(YamlTree.Scalar(port, "containerPort"), Is.EqualTo("48080"));
        Assert.That(YamlTree.Scalar(YamlTree.At(container, "livenessProbe.httpGet"), "port"), Is.EqualTo(YamlTree.Scalar(port, "name")));

        var env = YamlTree.Sequence(container, "env").Children
            .ToDictionary(e => YamlTree.Scalar(e, "name"), e => YamlTree.At(e, "valueFrom.secretKeyRef"));
        Assert.That(env.Keys, Is.EquivalentTo(new[] { "TENCENTCLOUD_SECRET_ID", "TENCENTCLOUD_SECRET_KEY", "TENCENTCLOUD_REGION" }));
        var secretKeys = ((YamlMappingNode)YamlTree.Child(Manifest("secret.yaml"), "stringData")).Children.Keys.Select(k => k.ToString());
        foreach (var (name, reference) in env)
        {
            Assert.That(YamlTree.Scalar(reference, "name"), Is.EqualTo(secretName), name);
            Assert.That(secretKeys, Does.Contain(YamlTree.Scalar(reference, "key")), name);
        }
    }

    [Test]
    public void Service_selects_the_deployment_pods_and_exposes_the_named_port()
    {
        var service = Manifest("service.yaml");
        var podLabels = YamlTree.At(Manifest("deployment.yaml"), "spec.template.metadata.labels");

        Assert.That(YamlTree.Scalar(YamlTree.At(service, "spec.selector"), "app.kubernetes.io/name"),
            Is.EqualTo(YamlTree.Scalar(podLabels, "app.kubernetes.io/name")));
        var port = YamlTree.Sequence(YamlTree.Child(service, "spec"), "ports").Children.Single();
        Assert.That(YamlTree.Scalar(port, "port"), Is.EqualTo("48080"));
        Assert.That(YamlTree.Scalar(port, "name"), Is.EqualTo("http"));
    }

    [Test]
    public void ServiceMonitor_scrapes_both_paths_under_the_original_job_names()
    {
        var monitor = Manifest("servicemonitor.yaml");
        var service = Manifest("service.yaml");
        Assert.That(YamlTree.Scalar(YamlTree.At(monitor, "spec.selector.matchLabels"), "app.kubernetes.io/name"),
            Is.EqualTo(YamlTree.Scalar(YamlTree.At(service, "metadata.labels"), "app.kubernetes.io/name")));

        // The alert rules select on these job names (see rules/datahub_exporter.rules.yml).
        var jobsByPath = YamlTree.Sequence(YamlTree.Child(monitor, "spec"), "endpoints").Children.ToDictionary(
            e => YamlTree.Scalar(e, "path"),
            e => YamlTree.Sequence(e, "relabelings").Children
                .Where(r => YamlTree.Scalar(r, "targetLabel") == "job")
                .Select(r => YamlTree.Scalar(r, "replacement"))
                .Single());

        Assert.That(jobsByPath["/api/v1/ckafka/datahub_tasks/metrics"], Is.EqualTo("datahub-exporter-datahub-task"));
        Assert.That(jobsByPath["/api/v1/ckafka/connect_resources/metrics"], Is.EqualTo("datahub-exporter-connect-resources"));
        Assert.That(jobsByPath["/api/v1/ckafka/datahub_task_lag/metrics"], Is.EqualTo("datahub-exporter-datahub-task-lag"));
        Assert.That(jobsByPath.Values, Is.All.Match("^datahub-exporter-"), "DatahubExporterDown selects job=~\"datahub-exporter-.*\"");
    }

    [Test]
    public void Secret_holds_placeholders_only()
    {
        var data = (YamlMappingNode)YamlTree.Child(Manifest("secret.yaml"), "stringData");

        Assert.That(YamlTree.Scalar(data, "TENCENTCLOUD_SECRET_KEY"), Is.EqualTo("REPLACE_ME"));
        Assert.That(YamlTree.Scalar(data, "TENCENTCLOUD_SECRET_ID"), Does.Contain("REPLACE_ME"));
    }

    private static YamlMappingNode Manifest(string file) => YamlTree.LoadMapping(Path.Combine(PrometheusTools.RepoPath(Folder), file));

    private static string ExpectedName(YamlNode manifest) =>
        YamlTree.Scalar(manifest, "kind") == "Secret" ? "datahub-exporter-credentials" : AppLabel;

    private static YamlNode Parse(string yaml)
    {
        var stream = new YamlStream();
        stream.Load(new StringReader(yaml));
        return stream.Documents[0].RootNode;
    }
}
