package localtsa

import (
	"context"
	"errors"
	"io"
	"log"
	"mime"
	"net"
	"net/http"
	"strconv"
	"time"

	"github.com/custody-toolkit/custody/internal/graceful"
	"github.com/custody-toolkit/custody/tsa/internal/rfc3161"
)

// Handler serves the authority over HTTP (RFC 3161 §3.4): a POST of an
// application/timestamp-query body of at most 64 KiB, on any path, is
// answered with an application/timestamp-reply. Rejected requests are
// answered 200 with a rejection TimeStampResp, as the RFC requires. Nothing
// about a request is logged.
func Handler(a *Authority) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodPost {
			w.Header().Set("Allow", http.MethodPost)
			http.Error(w, "RFC 3161: POST an application/timestamp-query", http.StatusMethodNotAllowed)
			return
		}
		if mt, _, err := mime.ParseMediaType(r.Header.Get("Content-Type")); err != nil || mt != rfc3161.QueryType {
			http.Error(w, "Content-Type must be "+rfc3161.QueryType, http.StatusUnsupportedMediaType)
			return
		}
		req, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxRequestSize))
		if err != nil {
			if _, ok := errors.AsType[*http.MaxBytesError](err); ok {
				http.Error(w, "request larger than 64 KiB", http.StatusRequestEntityTooLarge)
			} else {
				http.Error(w, "cannot read the request", http.StatusBadRequest)
			}
			return
		}
		resp, err := a.Respond(req)
		if err != nil {
			// Internal rfc3161.Failures (signing) carry no request content.
			log.Printf("custody tsa: %v", err)
			http.Error(w, "internal error", http.StatusInternalServerError)
			return
		}
		w.Header().Set("Content-Type", rfc3161.ReplyType)
		w.Header().Set("Content-Length", strconv.Itoa(len(resp)))
		w.Write(resp)
	})
}

// Serve serves the authority on ln until ctx is done, then shuts down
// gracefully: requests in flight get up to 5 seconds to finish.
func Serve(ctx context.Context, ln net.Listener, a *Authority) error {
	srv := &http.Server{
		Handler:           Handler(a),
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       30 * time.Second,
		WriteTimeout:      30 * time.Second,
		IdleTimeout:       2 * time.Minute,
		MaxHeaderBytes:    16 << 10,
	}
	return graceful.Serve(ctx, srv, ln, 5*time.Second)
}
