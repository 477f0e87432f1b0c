using System.Net.Sockets;
using CkafkaSimulator;
using DatahubExporter.Configuration;
using DatahubExporter.TencentCloud;

namespace DatahubExporter.Tests.TencentCloud;

/// <summary>
/// The limiter counts a request from when it left, not from its turn (tencent-cloud-api.md §5: the API counts by
/// arrival). Issue 7's 20 ms sweep: a fresh process's first page left about 80 ms after its turn (OpenSSL, compiling,
/// a new connection), so the next window's first page arrived 0.97 s after it and was refused; the halved rate then
/// slowed the next sweeps to 1.32× their bound.
/// </summary>
public class LimiterDepartureTests
{
    private static readonly ApiTarget Target = new("ap-beijing", new Uri("https://ckafka.ap-beijing.tencentcloudapi.com"), new Credentials("AKIDexample0001", "key", null));

    [Test]
    public async Task A_request_that_left_late_holds_its_permit_one_window_from_when_it_left()
    {
        var time = new TimerRecordingTime();
        var limiter = new RequestRateLimiter(1, time);
        var late = await limiter.WaitAsync("A", "r", CancellationToken.None);
        time.Advance(TimeSpan.FromMilliseconds(85));
        late.Departed(time.GetTimestamp());

        var next = limiter.WaitAsync("A", "r", CancellationToken.None).AsTask();
        time.Advance(TimeSpan.FromMilliseconds(1000 - 85));
        Assert.That(next.IsCompleted, Is.False, "counted from its turn, the late one would have freed its permit at 1 s");
        time.Advance(TimeSpan.FromMilliseconds(84));
        Assert.That(next.IsCompleted, Is.False);
        time.Advance(TimeSpan.FromMilliseconds(1));

        Assert.That((await next.WaitAsync(TimeSpan.FromSeconds(30))).Waited, Is.EqualTo(TimeSpan.FromMilliseconds(1000)), "one second after the late one left");
    }

    [Test]
    public async Task While_every_permit_is_out_with_a_request_that_has_not_left_nobody_goes()
    {
        var time = new TimerRecordingTime();
        var limiter = new RequestRateLimiter(2, time);
        var first = await limiter.WaitAsync("A", "r", CancellationToken.None);
        var second = await limiter.WaitAsync("A", "r", CancellationToken.None);

        var third = limiter.WaitAsync("A", "r", CancellationToken.None).AsTask();
        time.Advance(TimeSpan.FromSeconds(5));
        Assert.That(third.IsCompleted, Is.False, "two requests still connecting may yet arrive together with it");
        Assert.That(time.CreatedTimers, Is.Empty, "nothing to wake for until a request leaves");

        first.Departed(time.GetTimestamp());
        Assert.That(third.IsCompleted, Is.False);
        time.Advance(TimeSpan.FromSeconds(1));
        Assert.That((await third.WaitAsync(TimeSpan.FromSeconds(30))).Waited, Is.EqualTo(TimeSpan.FromSeconds(6)));

        // A request that never left (its connection failed) counts from its turn.
        second.Departed(second.Start);
        Assert.That((await limiter.WaitAsync("A", "r", CancellationToken.None)).Waited, Is.EqualTo(TimeSpan.Zero));
    }

    [Test]
    public async Task Cancelled_waits_step_out_of_the_line()
    {
        var time = new TimerRecordingTime();
        var limiter = new RequestRateLimiter(1, time);
        var first = await limiter.WaitAsync("A", "r", CancellationToken.None);
        first.Departed(first.Start);
        for (var i = 0; i < 3; i++)
        {
            using var cts = new CancellationTokenSource();
            var abandoned = limiter.WaitAsync("A", "r", cts.Token).AsTask();
            cts.Cancel();
            Assert.CatchAsync<OperationCanceledException>(() => abandoned.WaitAsync(TimeSpan.FromSeconds(30)));
        }

        var next = limiter.WaitAsync("A", "r", CancellationToken.None).AsTask();
        time.Advance(TimeSpan.FromSeconds(1));
        Assert.That((await next.WaitAsync(TimeSpan.FromSeconds(30))).Waited, Is.EqualTo(TimeSpan.FromSeconds(1)));
    }

    [Test]
    public async Task Client_spaces_the_next_window_from_a_first_call_that_reached_the_api_late()
    {
        // The first call's connection takes 85 ms to open after its turn; the API sees it arrive then.
        var time = new TimerRecordingTime { AutoFireWithin = TimeSpan.FromSeconds(10) };
        var api = new FakeHandler((_, _) => FakeHandler.Ok(), time);
        var connecting = new SlowFirstConnection(time, TimeSpan.FromMilliseconds(85)) { InnerHandler = api };
        var client = new TencentCloudClient(new HttpClient(connecting),
            new TencentCloudClientOptions { RateLimitPerSecond = 2, RateLimitWindowGuard = TimeSpan.FromMilliseconds(50) }, new RecordingObserver(), time);

        using (await client.CallAsync(Target, "A", "{}"u8.ToArray(), CancellationToken.None))
        {
        }
        var rest = await Task.WhenAll(Enumerable.Range(0, 2).Select(_ => client.CallAsync(Target, "A", "{}"u8.ToArray(), CancellationToken.None)));
        foreach (var answer in rest)
        {
            answer.Dispose();
        }

        var arrivals = api.Requests.Select(r => r.At).Order().ToList();
        Assert.That(arrivals, Has.Count.EqualTo(3));
        Assert.That(arrivals[2] - arrivals[0], Is.GreaterThanOrEqualTo(TimeSpan.FromMilliseconds(1050)),
            "three arrivals within one second at 2/s: the API would refuse the third");
    }

    [TestCase(true, 1300)]
    [TestCase(false, 1000)]
    public async Task A_request_sent_while_a_connection_opened_counts_from_its_answer(bool opensConnection, int nextAt)
    {
        // The far end takes the new connection up late: the answer comes 300 ms after the request left, and the API
        // may have counted it any time before that. On a pooled connection it counts from when it left.
        var time = new TimerRecordingTime { AutoFireWithin = TimeSpan.FromSeconds(10) };
        var start = time.GetUtcNow();
        var connections = new ConnectionWatch();
        var api = new FakeHandler((_, _) => FakeHandler.Ok(), time);
        var farEnd = new SlowFarEnd(time, TimeSpan.FromMilliseconds(300), opensConnection ? connections : null) { InnerHandler = api };
        var client = new TencentCloudClient(new ApiHttp(new HttpClient(farEnd), connections),
            new TencentCloudClientOptions { RateLimitPerSecond = 1 }, new RecordingObserver(), time);

        for (var i = 0; i < 2; i++)
        {
            using (await client.CallAsync(Target, "A", "{}"u8.ToArray(), CancellationToken.None))
            {
            }
        }

        Assert.That(api.Requests.Select(r => r.At - start), Is.EqualTo(new[] { TimeSpan.Zero, TimeSpan.FromMilliseconds(nextAt) }));
        Assert.That(connections.Opened, Is.EqualTo(opensConnection ? 2 : 0));
    }

    [Test]
    public async Task The_watch_counts_the_connections_the_exporter_client_opens()
    {
        await using var simulator = await SimulatorServer.StartAsync(new SimulatorOptions { DataSet = SimulatorDataSet.Generate(3, 1) });
        using var http = ApiHttp.Create();
        var connections = http.Connections!;
        var client = new TencentCloudClient(http, new TencentCloudClientOptions { RateLimitPerSecond = 0 }, new RecordingObserver(), TimeProvider.System);
        var target = new ApiTarget("ap-guangzhou", simulator.BaseAddress, new Credentials(SimulatorOptions.DemoSecretId, SimulatorOptions.DemoSecretKey, null));
        Assert.That(connections.Opened, Is.Zero);

        for (var i = 0; i < 3; i++)
        {
            using (await client.CallAsync(target, "DescribeDatahubTasks", "{\"Limit\":1,\"Offset\":0}"u8.ToArray(), CancellationToken.None))
            {
            }
        }

        Assert.That(connections.Opened, Is.EqualTo(1), "one connection, kept alive for the next calls");
    }

    [Test]
    public async Task A_late_first_connection_draws_no_refusal_from_the_simulator()
    {
        // Real sockets: the body is written only once the (slow) connection is open, so that is when it counts.
        await using var simulator = await SimulatorServer.StartAsync(new SimulatorOptions { DataSet = SimulatorDataSet.Generate(3, 1) });
        simulator.State.SetFault(Fault.RateLimit(2), "DescribeDatahubTasks");
        var connections = 0;
        using var http = new HttpClient(new SocketsHttpHandler
        {
            ConnectCallback = async (context, cancellationToken) =>
            {
                if (Interlocked.Increment(ref connections) == 1)
                {
                    await Task.Delay(TimeSpan.FromMilliseconds(400), cancellationToken);
                }
                var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
                await socket.ConnectAsync(context.DnsEndPoint, cancellationToken);
                return new NetworkStream(socket, ownsSocket: true);
            },
        });
        // A wide guard, so the machine's own scheduling noise cannot make this test fail.
        var client = new TencentCloudClient(http,
            new TencentCloudClientOptions { RateLimitPerSecond = 2, RateLimitWindowGuard = TimeSpan.FromMilliseconds(200), MaxAttempts = 1 },
            new RecordingObserver(), TimeProvider.System);
        var target = new ApiTarget("ap-guangzhou", simulator.BaseAddress, new Credentials(SimulatorOptions.DemoSecretId, SimulatorOptions.DemoSecretKey, null));
        var body = "{\"Limit\":1,\"Offset\":0}"u8.ToArray();

        using (await client.CallAsync(target, "DescribeDatahubTasks", body, CancellationToken.None))
        {
        }
        var rest = await Task.WhenAll(Enumerable.Range(0, 2).Select(_ => client.CallAsync(target, "DescribeDatahubTasks", body, CancellationToken.None)))
            .WaitAsync(TimeSpan.FromSeconds(30));
        foreach (var answer in rest)
        {
            answer.Dispose();
        }

        var requests = simulator.State.Requests.Where(r => r.Action == "DescribeDatahubTasks").ToList();
        var story = string.Join("\n", requests.Select(r => $"{r.Time:HH:mm:ss.fff} {r.ErrorCode ?? "ok"}"));
        Assert.That(requests, Has.Count.EqualTo(3), story);
        Assert.That(requests.Where(r => r.ErrorCode is not null), Is.Empty, story);
        Assert.That(requests[2].Time - requests[0].Time, Is.GreaterThanOrEqualTo(TimeSpan.FromSeconds(1)), story);
    }

    [Test]
    public async Task A_throw_between_the_turn_and_the_send_leaks_no_permit()
    {
        // Issue 19: the turn was taken at one line and its departure created later; a throw in between (here the
        // attempt's timer cannot be created) kept its permit for ever, and N such throws froze the key.
        const int rate = 2;
        var time = new FailingAttemptTimerTime(TimeSpan.FromSeconds(7));
        var api = new FakeHandler((_, _) => FakeHandler.Ok(), time);
        var client = new TencentCloudClient(new HttpClient(api),
            new TencentCloudClientOptions { RateLimitPerSecond = rate, AttemptTimeout = time.AttemptTimeout }, new RecordingObserver(), time);

        for (var i = 0; i < rate + 1; i++)
        {
            time.Advance(TimeSpan.FromSeconds(2));
            var failing = client.CallAsync(Target, "A", "{}"u8.ToArray(), CancellationToken.None);
            // The bound only turns a frozen key into a failure instead of a hang.
            Assert.ThrowsAsync<InvalidOperationException>(() => failing.WaitAsync(TimeSpan.FromSeconds(20)), $"call {i + 1}");
        }
        time.Fail = false;
        time.Advance(TimeSpan.FromSeconds(2));

        using (await client.CallAsync(Target, "A", "{}"u8.ToArray(), CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(20)))
        {
        }
        Assert.That(api.Count, Is.EqualTo(1), "only the last call was sent");
    }

    /// <summary>A clock that cannot create a timer of the attempt timeout while <see cref="Fail"/> holds: the
    /// attempt throws after its turn and before its request is sent.</summary>
    private sealed class FailingAttemptTimerTime(TimeSpan attemptTimeout) : FakeTimeProvider(TimerRecordingTime.DefaultStart)
    {
        public TimeSpan AttemptTimeout => attemptTimeout;

        public bool Fail { get; set; } = true;

        public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period) =>
            Fail && dueTime == attemptTimeout
                ? throw new InvalidOperationException("no timer for the attempt")
                : base.CreateTimer(callback, state, dueTime, period);
    }

    /// <summary>Plays a connection that opens slowly: the first request reaches the inner handler (which reads
    /// the body, as a socket would write it) only after the clock moved on.</summary>
    private sealed class SlowFirstConnection(FakeTimeProvider time, TimeSpan delay) : DelegatingHandler
    {
        private int _sent;

        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            if (Interlocked.Increment(ref _sent) == 1)
            {
                time.Advance(delay);
            }
            return base.SendAsync(request, cancellationToken);
        }
    }

    /// <summary>Plays an API that answers <paramref name="answerAfter"/> after the request left, on a connection it
    /// opened just before (counted into <paramref name="connections"/>) or on a pooled one (null).</summary>
    private sealed class SlowFarEnd(FakeTimeProvider time, TimeSpan answerAfter, ConnectionWatch? connections) : DelegatingHandler
    {
        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            connections?.Opening();
            var response = await base.SendAsync(request, cancellationToken);
            time.Advance(answerAfter);
            return response;
        }
    }
}
