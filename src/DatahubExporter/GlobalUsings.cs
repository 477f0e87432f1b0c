global using Microsoft.AspNetCore.Builder;
global using Microsoft.AspNetCore.Hosting;
global using Microsoft.AspNetCore.Http;
global using Microsoft.AspNetCore.Routing;
global using Microsoft.Extensions.DependencyInjection;
global using Microsoft.Extensions.Hosting;
global using Microsoft.Extensions.Logging;
// The signer lives in its own assembly, shared with the simulator (src/TencentCloud.Signing).
global using TencentCloud.Signing;
// The --web.config.file area (TLS, basic auth, headers) is used by the host, the composition root and Program.
global using DatahubExporter.WebConfig;
