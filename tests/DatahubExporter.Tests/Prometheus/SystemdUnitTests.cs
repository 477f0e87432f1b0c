using DatahubExporter.Configuration;

namespace DatahubExporter.Tests.Prometheus;

/// <summary>
/// examples/datahub_exporter.service: verified by systemd-analyze where it exists, and always checked
/// for the settings that matter (unprivileged, restart on failure, SIGHUP reload, hardening).
/// </summary>
public class SystemdUnitTests
{
    private const string UnitFile = "examples/datahub_exporter.service";
    private const string InstalledBinary = "/usr/local/bin/datahub_exporter";
    private const string SystemdAnalyze = "/usr/bin/systemd-analyze";

    [Test]
    public async Task Systemd_analyze_verify_reports_nothing()
    {
        if (!File.Exists(SystemdAnalyze))
        {
            Assert.Ignore("systemd-analyze is not installed; the structural tests still run");
        }

        using var temp = new TempDirectory("unit-");
        var dir = temp.Path;
        // verify insists the ExecStart binary exists; point it at a stand-in executable.
        var binary = Path.Combine(dir, "datahub_exporter");
        await File.WriteAllTextAsync(binary, "#!/bin/sh\n");
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(binary, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }
        var unitText = await File.ReadAllTextAsync(PrometheusTools.RepoPath(UnitFile));
        Assert.That(unitText, Does.Contain(InstalledBinary));
        var unit = Path.Combine(dir, "datahub_exporter.service");
        await File.WriteAllTextAsync(unit, unitText.Replace(InstalledBinary, binary));

        var result = await ChildProcess.RunAsync(SystemdAnalyze, ["verify", unit], workingDirectory: dir);

        // verify exits 0 even for settings it ignores as unparsable; any output is a finding.
        Assert.That(result.ExitCode, Is.EqualTo(0), result.Output);
        Assert.That(result.Output.Trim(), Is.Empty);
    }

    [TestCase("Service", "Restart", "on-failure")]
    [TestCase("Service", "ExecReload", "/bin/kill -HUP $MAINPID")]
    [TestCase("Service", "User", "datahub_exporter")]
    [TestCase("Service", "NoNewPrivileges", "yes")]
    [TestCase("Service", "ProtectSystem", "strict")]
    [TestCase("Service", "ProtectHome", "yes")]
    [TestCase("Service", "PrivateTmp", "yes")]
    [TestCase("Service", "CapabilityBoundingSet", "")]
    [TestCase("Install", "WantedBy", "multi-user.target")]
    public void Unit_sets(string section, string key, string value)
    {
        Assert.That(Settings(section), Does.Contain($"{key}={value}"));
    }

    [Test]
    public void ExecStart_passes_listen_address_and_config()
    {
        var execStart = Settings("Service").Single(s => s.StartsWith("ExecStart=", StringComparison.Ordinal));

        Assert.That(execStart, Does.StartWith($"ExecStart={InstalledBinary} "));
        Assert.That(execStart, Does.Contain("--web.listen-address=:48080"));
        Assert.That(execStart, Does.Contain("--conf=/etc/datahub_exporter/"));
    }

    [Test]
    public void The_recipes_config_permissions_give_no_warning_to_the_service()
    {
        // The install steps in the unit's header give the config to the service's group, mode 0640; the exporter
        // warned about that layout on every start until it learnt to accept a group it runs in.
        var header = File.ReadLines(PrometheusTools.RepoPath(UnitFile)).TakeWhile(l => l.StartsWith('#')).ToList();
        var install = header.Single(l => l.Contains("examples/datahub_exporter.conf", StringComparison.Ordinal));
        var match = System.Text.RegularExpressions.Regex.Match(install, @"install -m (0[0-7]{3}) -o root -g (\S+) ");
        Assert.That(match.Success, Is.True, install);
        Assert.That(Settings("Service"), Does.Contain($"Group={match.Groups[2].Value}"));

        var mode = (UnixFileMode)Convert.ToInt32(match.Groups[1].Value, 8);
        const uint ServiceGroup = 990;
        Assert.That(ConfigLoader.PermissionWarning("/etc/datahub_exporter/datahub_exporter.conf", mode, ServiceGroup, [ServiceGroup]), Is.Null);
        Assert.That(ConfigLoader.PermissionWarning("/etc/datahub_exporter/datahub_exporter.conf", mode, ServiceGroup, [0]), Is.Not.Null,
            "the same file readable by a group the service is not in is warned about");
    }

    [Test]
    public void Unit_leaves_write_execute_memory_to_the_jit()
    {
        // MemoryDenyWriteExecute=yes stops the .NET JIT; the exporter would crash at start.
        Assert.That(Settings("Service"), Has.None.StartsWith("MemoryDenyWriteExecute=yes"));
    }

    /// <summary>The key=value lines of one [section], comments and blank lines dropped.</summary>
    private static List<string> Settings(string section)
    {
        var lines = File.ReadAllLines(PrometheusTools.RepoPath(UnitFile));
        var current = "";
        var settings = new List<string>();
        foreach (var raw in lines)
        {
            var line = raw.Trim();
            if (line.Length == 0 || line[0] is '#' or ';')
            {
                continue;
            }

            if (line.StartsWith('[') && line.EndsWith(']'))
            {
                current = line[1..^1];
            }
            else if (current == section)
            {
                settings.Add(line);
            }
        }

        Assert.That(settings, Is.Not.Empty, $"no [{section}] section in {UnitFile}");
        return settings;
    }
}
