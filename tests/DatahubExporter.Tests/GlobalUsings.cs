global using DatahubExporter.Tests.Support;
global using Microsoft.Extensions.Time.Testing;
global using NUnit.Framework;
