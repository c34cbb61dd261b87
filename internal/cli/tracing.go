package cli

import (
	"cmp"
	"context"
	"fmt"
	"log/slog"
	"net/url"
	"os"
	"strings"
	"time"

	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/exporters/otlp/otlptrace/otlptracehttp"
	"go.opentelemetry.io/otel/sdk/resource"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	semconv "go.opentelemetry.io/otel/semconv/v1.43.0"
	"go.opentelemetry.io/otel/trace"

	"github.com/gqlplan/gqlplan/compiler"
)

// startTracing sets up OpenTelemetry traces as the standard OTEL_*
// environment variables say — the SDK reads them: the OTLP/HTTP
// endpoint and headers (OTEL_EXPORTER_OTLP_[TRACES_]ENDPOINT, …_HEADERS,
// …_TIMEOUT, …_COMPRESSION), the sampler (OTEL_TRACES_SAMPLER, …_ARG;
// parent-based, always on, by default), the batching
// (OTEL_BSP_SCHEDULE_DELAY, …) and the resource (OTEL_SERVICE_NAME,
// default gqlplan; OTEL_RESOURCE_ATTRIBUTES). Tracing is on when an
// endpoint is set, unless OTEL_SDK_DISABLED=true or
// OTEL_TRACES_EXPORTER=none; off, it returns a nil provider and costs
// nothing. stop flushes the spans not yet sent.
func startTracing(ctx context.Context, log *slog.Logger) (provider trace.TracerProvider, stop func(), err error) {
	endpoint := cmp.Or(os.Getenv("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT"), os.Getenv("OTEL_EXPORTER_OTLP_ENDPOINT"))
	if endpoint == "" || strings.EqualFold(os.Getenv("OTEL_SDK_DISABLED"), "true") || os.Getenv("OTEL_TRACES_EXPORTER") == "none" {
		return nil, func() {}, nil
	}
	if p := os.Getenv("OTEL_EXPORTER_OTLP_PROTOCOL"); p != "" && p != "http/protobuf" {
		return nil, nil, fmt.Errorf("OTEL_EXPORTER_OTLP_PROTOCOL=%s: gqlplan exports traces over OTLP/HTTP (http/protobuf) only", p)
	}
	exporter, err := otlptracehttp.New(ctx)
	if err != nil {
		return nil, nil, fmt.Errorf("tracing: %w", err)
	}
	// The service name first, so that OTEL_SERVICE_NAME and
	// OTEL_RESOURCE_ATTRIBUTES, read after it, win.
	res, err := resource.New(ctx, resource.WithAttributes(semconv.ServiceName("gqlplan"), semconv.ServiceVersion(cmp.Or(build, compiler.Version))),
		resource.WithFromEnv(), resource.WithTelemetrySDK(), resource.WithHost(), resource.WithProcessPID())
	if err != nil {
		return nil, nil, fmt.Errorf("tracing: %w", err)
	}
	tp := sdktrace.NewTracerProvider(sdktrace.WithBatcher(exporter), sdktrace.WithResource(res))
	// The SDK reports export failures through otel's global handler.
	otel.SetErrorHandler(otel.ErrorHandlerFunc(func(err error) {
		log.Warn("tracing: spans were not exported", "error", err.Error())
	}))
	if u, err := url.Parse(endpoint); err == nil {
		log.Info("tracing", "to", u.Host) // not the URL: it may hold credentials
	}
	return tp, func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		if err := tp.Shutdown(ctx); err != nil {
			log.Warn("tracing: the last spans were not exported", "error", err.Error())
		}
	}, nil
}
