// Command upstream is the MCP server the pool's tests start: one binary, a
// mode per behaviour.
//
//	upstream serve [-spawn] [-tools N] [-stubborn] [-start-delay D]  a server (tools below)
//	upstream garbage                    writes a line that is not JSON-RPC
//	upstream silent                     reads stdin, never answers
//	upstream exit                       writes to stderr and exits 2 at once
//	upstream sleep                      sleeps (the grandchild of -spawn)
package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"os/signal"
	"slices"
	"strconv"
	"strings"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/modelcontextprotocol/go-sdk/mcp"
)

func main() {
	if len(os.Args) < 2 {
		fmt.Fprintln(os.Stderr, "usage: upstream serve|garbage|silent|exit|sleep")
		os.Exit(64)
	}
	switch os.Args[1] {
	case "serve":
		serve(os.Args[2:])
	case "garbage":
		fmt.Println("this is not json-rpc")
		_, _ = io.Copy(io.Discard, os.Stdin)
	case "silent":
		_, _ = io.Copy(io.Discard, os.Stdin)
		time.Sleep(time.Hour) // even stdin's end does not make it exit
	case "exit":
		fmt.Fprintf(os.Stderr, "fatal: cannot log in with token %s\n", os.Getenv("SECRET_TOKEN"))
		os.Exit(2)
	case "sleep":
		time.Sleep(time.Hour)
	default:
		fmt.Fprintln(os.Stderr, "unknown mode", os.Args[1])
		os.Exit(64)
	}
}

func serve(args []string) {
	flags := flag.NewFlagSet("serve", flag.ExitOnError)
	spawn := flags.Bool("spawn", false, "start a grandchild that shares stderr")
	extra := flags.Int("tools", 0, "extra tools t0..tN-1, listed 5 per page")
	stubborn := flags.Bool("stubborn", false, "ignore SIGTERM and the end of stdin")
	addDescription := flags.String("add-description", "Adds a and b.", "the add tool's description (a changed definition)")
	startDelay := flags.Duration("start-delay", 0, "wait this long before answering anything (a slow start)")
	_ = flags.Parse(args)
	time.Sleep(*startDelay)
	if *stubborn {
		signal.Ignore(syscall.SIGTERM)
	}

	childPID := 0
	if *spawn {
		child := exec.Command(os.Args[0], "sleep")
		child.Stderr = os.Stderr // holds the pipe, as real grandchildren do
		if err := child.Start(); err != nil {
			fmt.Fprintln(os.Stderr, "spawn:", err)
			os.Exit(1)
		}
		childPID = child.Process.Pid
	}

	s := mcp.NewServer(&mcp.Implementation{Name: "test-upstream", Version: "1"}, &mcp.ServerOptions{PageSize: 5})
	descriptions := map[string]string{"add": *addDescription}
	tool := func(name string, h func(ctx context.Context, req *mcp.CallToolRequest, args map[string]any) (*mcp.CallToolResult, error)) {
		s.AddTool(&mcp.Tool{Name: name, Description: descriptions[name], InputSchema: json.RawMessage(`{"type":"object"}`)},
			func(ctx context.Context, req *mcp.CallToolRequest) (*mcp.CallToolResult, error) {
				var args map[string]any
				if len(req.Params.Arguments) > 0 {
					if err := json.Unmarshal(req.Params.Arguments, &args); err != nil {
						return nil, err
					}
				}
				return h(ctx, req, args)
			})
	}
	// Every tools/list is counted, so that tests can see what the pool keeps.
	var listings atomic.Int64
	s.AddReceivingMiddleware(func(next mcp.MethodHandler) mcp.MethodHandler {
		return func(ctx context.Context, method string, req mcp.Request) (mcp.Result, error) {
			if method == "tools/list" {
				listings.Add(1)
			}
			return next(ctx, method, req)
		}
	})
	text := func(s string) *mcp.CallToolResult {
		return &mcp.CallToolResult{Content: []mcp.Content{&mcp.TextContent{Text: s}}}
	}
	num := func(args map[string]any, key string) int {
		f, _ := args[key].(float64)
		return int(f)
	}

	// echo returns the raw arguments as received, in every content kind.
	tool("echo", func(_ context.Context, req *mcp.CallToolRequest, args map[string]any) (*mcp.CallToolResult, error) {
		raw := string(req.Params.Arguments)
		return &mcp.CallToolResult{
			Content: []mcp.Content{
				&mcp.TextContent{Text: raw},
				&mcp.ImageContent{Data: []byte("\x89PNG"), MIMEType: "image/png"},
				&mcp.AudioContent{Data: []byte("RIFF"), MIMEType: "audio/wav"},
				&mcp.ResourceLink{URI: "file:///echo.txt", Name: "echo.txt"},
				&mcp.EmbeddedResource{Resource: &mcp.ResourceContents{URI: "mem://echo", MIMEType: "text/plain", Text: raw}},
			},
			StructuredContent: json.RawMessage(req.Params.Arguments),
			IsError:           args["fail"] == true,
		}, nil
	})
	tool("add", func(_ context.Context, _ *mcp.CallToolRequest, args map[string]any) (*mcp.CallToolResult, error) {
		sum := num(args, "a") + num(args, "b")
		res := text(strconv.Itoa(sum))
		res.StructuredContent = map[string]int{"sum": sum}
		return res, nil
	})
	tool("env", func(context.Context, *mcp.CallToolRequest, map[string]any) (*mcp.CallToolResult, error) {
		env := os.Environ()
		slices.Sort(env)
		return text(strings.Join(env, "\n")), nil
	})
	tool("listings", func(context.Context, *mcp.CallToolRequest, map[string]any) (*mcp.CallToolResult, error) {
		return text(strconv.FormatInt(listings.Load(), 10)), nil
	})
	// grow adds a tool; the SDK tells clients the list changed.
	tool("grow", func(context.Context, *mcp.CallToolRequest, map[string]any) (*mcp.CallToolResult, error) {
		tool("grown", func(context.Context, *mcp.CallToolRequest, map[string]any) (*mcp.CallToolResult, error) {
			return text("grown"), nil
		})
		return text("grew"), nil
	})
	tool("pid", func(context.Context, *mcp.CallToolRequest, map[string]any) (*mcp.CallToolResult, error) {
		return text(strconv.Itoa(os.Getpid())), nil
	})
	tool("child", func(context.Context, *mcp.CallToolRequest, map[string]any) (*mcp.CallToolResult, error) {
		return text(strconv.Itoa(childPID)), nil
	})
	// slow sleeps for ms milliseconds, or until cancelled; it says on stderr
	// when it starts (so that a test knows the call has arrived) and when it
	// is cancelled.
	tool("slow", func(ctx context.Context, _ *mcp.CallToolRequest, args map[string]any) (*mcp.CallToolResult, error) {
		fmt.Fprintf(os.Stderr, "sleeping: %s\n", args["tag"])
		select {
		case <-time.After(time.Duration(num(args, "ms")) * time.Millisecond):
			return text("slept"), nil
		case <-ctx.Done():
			fmt.Fprintf(os.Stderr, "cancelled: %s\n", args["tag"])
			return nil, ctx.Err()
		}
	})
	tool("progress", func(ctx context.Context, req *mcp.CallToolRequest, args map[string]any) (*mcp.CallToolResult, error) {
		steps := num(args, "steps")
		for i := 1; i <= steps; i++ {
			err := req.Session.NotifyProgress(ctx, &mcp.ProgressNotificationParams{
				ProgressToken: req.Params.GetProgressToken(),
				Progress:      float64(i), Total: float64(steps), Message: fmt.Sprintf("step %d", i),
			})
			if err != nil {
				return nil, err
			}
		}
		return text("done"), nil
	})
	tool("big", func(_ context.Context, _ *mcp.CallToolRequest, args map[string]any) (*mcp.CallToolResult, error) {
		return text(strings.Repeat("x", num(args, "bytes"))), nil
	})
	tool("stderr", func(_ context.Context, _ *mcp.CallToolRequest, args map[string]any) (*mcp.CallToolResult, error) {
		line := strings.Repeat("e", 99) + "\n"
		for range num(args, "bytes") / len(line) {
			_, _ = os.Stderr.WriteString(line)
		}
		fmt.Fprintln(os.Stderr, "the end of stderr")
		return text("written"), nil
	})
	tool("crash", func(context.Context, *mcp.CallToolRequest, map[string]any) (*mcp.CallToolResult, error) {
		fmt.Fprintln(os.Stderr, "crashing on purpose")
		os.Exit(3)
		return nil, nil
	})
	for i := range *extra {
		tool(fmt.Sprintf("t%d", i), func(context.Context, *mcp.CallToolRequest, map[string]any) (*mcp.CallToolResult, error) {
			return text("ok"), nil
		})
	}
	err := s.Run(context.Background(), &mcp.StdioTransport{})
	if *stubborn {
		time.Sleep(time.Hour)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "serve:", err)
		os.Exit(1)
	}
}
