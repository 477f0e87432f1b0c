// Fixtures run side by side; the tests of one fixture run one after another (they share its fields and SetUp).
// Most of the suite's time is the end-to-end fixtures waiting on child processes, sockets and the product's timers,
// not computing, so more workers than cores pay off: on a 2-core machine `dotnet test datahub_exporter.sln` took
// 2m29s with 3 workers, 2m05s with 4 and 1m46s with 6 (CONTRIBUTING.md "Parallel fixtures"). A fixture that measures
// something process-wide (memory, CPU, connection counts) or whose assertions need the machine to itself is
// [NonParallelizable], with a comment saying why; NUnit runs those while no other fixture runs.
[assembly: Parallelizable(ParallelScope.Fixtures)]
[assembly: LevelOfParallelism(6)]
