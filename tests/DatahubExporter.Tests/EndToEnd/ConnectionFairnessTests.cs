using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography.X509Certificates;
using DatahubExporter.WebConfig;
using DatahubExporter.Tests.WebConfig;

namespace DatahubExporter.Tests.EndToEnd;

/// <summary>
/// Issue 16 item 1: a client holding ~1,100 silent sockets and reopening each one the server closes kept everyone
/// out (1 of 26 health probes answered over 15 s), with no credentials. The real app in process (the attack and the
/// probes need no exporter process), on plain HTTP and on TLS.
/// </summary>
[NonParallelizable]
public class ConnectionFairnessTests
{
    private const int AttackSockets = 1100;
    private const int Probes = 20;

    private static readonly IPAddress AttackerAddress = IPAddress.Parse("127.0.0.2");

    [Test]
    public async Task Probes_answer_while_one_client_holds_1100_silent_sockets_and_reopens_each_one_closed_plain_http()
    {
        await using var host = await InProcessExporter.StartAsync(new WebConfigWatcher(WebConfigFile.Empty, new CollectingLogger(), TimeProvider.System));

        await ProbeUnderAttackAsync(host, validate: null);
    }

    [Test]
    public async Task Probes_answer_while_one_client_holds_1100_silent_sockets_and_reopens_each_one_closed_tls()
    {
        using var folder = new TempDirectory();
        var crt = TestPki.WriteSelfSignedServer(folder.Path, "server");
        string thumbprint;
        using (var certificate = X509Certificate2.CreateFromPem(File.ReadAllText(crt)))
        {
            thumbprint = certificate.Thumbprint;
        }

        File.WriteAllText(folder.PathOf("web.yml"), "tls_server_config:\n  cert_file: server.crt\n  key_file: server.key\n");
        await using var host = await InProcessExporter.StartAsync(WebConfigWatcher.Load(folder.PathOf("web.yml"), new CollectingLogger(), TimeProvider.System));

        await ProbeUnderAttackAsync(host, c => c is X509Certificate2 x && x.Thumbprint == thumbprint);
    }

    private static async Task ProbeUnderAttackAsync(InProcessExporter host, Func<X509Certificate?, bool>? validate)
    {
        var target = new IPEndPoint(IPAddress.Loopback, host.Address.Port);
        using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(60)); // a bound should the test itself hang
        var reopened = 0;
        var attackers = Enumerable.Range(0, AttackSockets).Select(_ => Task.Run(async () =>
        {
            // Bounded: at most 1,000 reopenings per socket, and only until the probes are done.
            for (var i = 0; i < 1000 && !stop.IsCancellationRequested; i++)
            {
                if (await HoldSilentAsync(target, stop.Token))
                {
                    Interlocked.Increment(ref reopened);
                }
            }
        })).ToList();

        // The attack is in place once every socket has been closed by the server at least once on average.
        await Eventually.HoldsAsync(() => Volatile.Read(ref reopened) >= AttackSockets, "the attack runs", TimeSpan.FromSeconds(30));

        using var probe = new HttpClient(new SocketsHttpHandler
        {
            PooledConnectionLifetime = TimeSpan.Zero, // a new connection for each probe, as a health checker makes
            ConnectTimeout = TimeSpan.FromSeconds(5),
            SslOptions = { RemoteCertificateValidationCallback = (_, certificate, _, _) => validate?.Invoke(certificate) ?? false },
        })
        { Timeout = TimeSpan.FromSeconds(5) };
        var answered = 0;
        for (var i = 0; i < Probes; i++)
        {
            try
            {
                using var response = await probe.GetAsync(host.Url("/-/healthy"));
                answered += response.StatusCode == HttpStatusCode.OK ? 1 : 0;
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
            {
                TestContext.Out.WriteLine($"probe {i + 1}: {e.Message}");
            }

            // The probes are spread over the attack's own progress, not over wall time: between two, the attacker has
            // had its share of sockets closed and reopened, so together they span a whole round of its 1,100.
            var seen = Volatile.Read(ref reopened);
            await Eventually.HoldsAsync(() => Volatile.Read(ref reopened) >= seen + AttackSockets / Probes,
                $"the attacker reopened {AttackSockets / Probes} more sockets after probe {i + 1}", TimeSpan.FromSeconds(30));
        }

        var during = Volatile.Read(ref reopened);
        await stop.CancelAsync();
        await Task.WhenAll(attackers);
        TestContext.Out.WriteLine($"{answered} of {Probes} probes answered; the attacker's sockets were closed and reopened {during} times");
        Assert.That(answered, Is.GreaterThanOrEqualTo(Probes * 9 / 10));
    }

    /// <summary>Connects and says nothing until the server closes the socket; true when it did.</summary>
    private static async Task<bool> HoldSilentAsync(IPEndPoint target, CancellationToken stop)
    {
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        // Answer the server's close with a reset, so closed sockets leave no TIME_WAIT behind on loopback.
        socket.LingerState = new LingerOption(true, 0);
        // The attacker is another host: its own loopback source address (port 0), so the probes from 127.0.0.1 are
        // another peer, as they would be on a network.
        socket.Bind(new IPEndPoint(AttackerAddress, 0));
        try
        {
            using var connect = CancellationTokenSource.CreateLinkedTokenSource(stop);
            connect.CancelAfter(TimeSpan.FromSeconds(10));
            await socket.ConnectAsync(target, connect.Token);
            var buffer = new byte[1];
            await socket.ReceiveAsync(buffer, SocketFlags.None, stop);
            return true;
        }
        catch (SocketException)
        {
            return true; // refused or reset: closed by the server all the same
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }
}
