package main

import (
	"bufio"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/securemcp/gateway/models"
)

// The reference is a bare Gin server: the same route and the same JSON body
// as GET /api/v1/configs/{id}, without middleware, authentication or store:
// the ceiling the gateway's read path is compared with. It runs in a process
// of its own (this binary, re-executed with referenceFlag), like the gateway,
// so that neither shares a runtime with the load generator.

// referenceFlag makes the binary serve the reference: its argument is the
// sample body; it prints the address it listens on and serves until stdin
// closes.
const referenceFlag = "-serve-reference"

// serveReference is the child process.
func serveReference(sampleJSON string) error {
	var sample models.ConfigDetailResponse
	if err := json.Unmarshal([]byte(sampleJSON), &sample); err != nil {
		return err
	}
	gin.SetMode(gin.ReleaseMode)
	r := gin.New()
	r.GET("/api/v1/configs/:config", func(c *gin.Context) {
		c.JSON(http.StatusOK, models.Envelope{Message: "Configuration retrieved successfully", Data: sample, Timestamp: time.Now().UTC()})
	})
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return err
	}
	fmt.Println(l.Addr())
	go func() { _, _ = io.Copy(io.Discard, os.Stdin); _ = l.Close() }()
	err = (&http.Server{Handler: r, ReadHeaderTimeout: 10 * time.Second}).Serve(l)
	if errors.Is(err, net.ErrClosed) {
		return nil
	}
	return err
}

// reference is the child process serving the reference.
type reference struct {
	cmd   *exec.Cmd
	stdin io.Closer
	base  string
}

func startReference(sample models.ConfigDetailResponse) (*reference, error) {
	raw, err := json.Marshal(sample)
	if err != nil {
		return nil, err
	}
	self, err := os.Executable()
	if err != nil {
		return nil, err
	}
	cmd := exec.Command(self, referenceFlag, string(raw))
	cmd.Stderr = os.Stderr
	stdin, err := cmd.StdinPipe()
	if err != nil {
		return nil, err
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	addr, err := bufio.NewReader(stdout).ReadString('\n')
	if err != nil {
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
		return nil, fmt.Errorf("start the reference server: %w", err)
	}
	return &reference{cmd: cmd, stdin: stdin, base: "http://" + strings.TrimSpace(addr)}, nil
}

// Close stops the child by closing its stdin (it also stops if this process dies).
func (r *reference) Close() error {
	_ = r.stdin.Close()
	return r.cmd.Wait()
}
