package replay

import (
	"context"
	"net/http"
	"net/http/httputil"
	"net/url"
	"sync"
	"time"
)

// router is a region's load balancer: it sends each request to the next
// instance, round robin, among those whose /readyz last answered 200, the
// way a Kubernetes Service only routes to ready endpoints.
type router struct {
	poll time.Duration

	mu       sync.Mutex
	backends []*backend
	next     int
	drained  *sync.Cond
}

type backend struct {
	name      string
	url       *url.URL
	proxy     *httputil.ReverseProxy
	transport *http.Transport
	stop      context.CancelFunc

	// Guarded by router.mu.
	ready   bool
	removed bool
	active  int
	// readySince is when the router first saw the backend ready.
	readySince time.Time
}

func newRouter(poll time.Duration) *router {
	r := &router{poll: poll}
	r.drained = sync.NewCond(&r.mu)
	return r
}

func (r *router) ServeHTTP(w http.ResponseWriter, req *http.Request) {
	b := r.pick()
	if b == nil {
		http.Error(w, "no ready instance", http.StatusServiceUnavailable)
		return
	}
	defer r.done(b)
	b.proxy.ServeHTTP(w, req)
}

// pick chooses the next ready backend and counts the request as in flight
// on it, so that removing the backend can wait for it.
func (r *router) pick() *backend {
	r.mu.Lock()
	defer r.mu.Unlock()
	for i := range r.backends {
		b := r.backends[(r.next+i)%len(r.backends)]
		if b.ready && !b.removed {
			r.next = (r.next + i + 1) % len(r.backends)
			b.active++
			return b
		}
	}
	return nil
}

func (r *router) done(b *backend) {
	r.mu.Lock()
	b.active--
	if b.active == 0 {
		r.drained.Broadcast()
	}
	r.mu.Unlock()
}

// add starts health-checking an instance; it takes traffic once /readyz
// answers 200.
func (r *router) add(name, rawURL string) *backend {
	u, _ := url.Parse(rawURL)
	tr := &http.Transport{MaxIdleConnsPerHost: 64, IdleConnTimeout: 30 * time.Second}
	b := &backend{name: name, url: u, transport: tr}
	b.proxy = &httputil.ReverseProxy{
		Rewrite: func(pr *httputil.ProxyRequest) {
			pr.SetURL(u)
			pr.Out.Host = pr.In.Host // the tenant is chosen by Host
			pr.SetXForwarded()
		},
		Transport: tr,
		ErrorHandler: func(w http.ResponseWriter, req *http.Request, err error) {
			http.Error(w, "instance unreachable: "+err.Error(), http.StatusBadGateway)
		},
	}
	ctx, cancel := context.WithCancel(context.Background())
	b.stop = cancel
	r.mu.Lock()
	r.backends = append(r.backends, b)
	r.mu.Unlock()
	go r.healthCheck(ctx, b)
	return b
}

func (r *router) healthCheck(ctx context.Context, b *backend) {
	client := &http.Client{Transport: b.transport, Timeout: time.Second}
	readyz := b.url.JoinPath("readyz").String()
	for {
		ready := false
		if req, err := http.NewRequestWithContext(ctx, http.MethodGet, readyz, nil); err == nil {
			if resp, err := client.Do(req); err == nil {
				resp.Body.Close()
				ready = resp.StatusCode == http.StatusOK
			}
		}
		if ctx.Err() != nil {
			return
		}
		r.mu.Lock()
		if ready && !b.ready {
			b.readySince = time.Now()
		}
		b.ready = ready
		r.mu.Unlock()
		select {
		case <-ctx.Done():
			return
		case <-time.After(r.poll):
		}
	}
}

// ready reports whether the router sends traffic to b, and since when.
func (r *router) ready(b *backend) (bool, time.Time) {
	r.mu.Lock()
	defer r.mu.Unlock()
	return b.ready && !b.removed, b.readySince
}

// waitReady waits until the router sends traffic to b, at most timeout.
func (r *router) waitReady(ctx context.Context, b *backend, timeout time.Duration) bool {
	deadline := time.Now().Add(timeout)
	for {
		if ok, _ := r.ready(b); ok {
			return true
		}
		if time.Now().After(deadline) || ctx.Err() != nil {
			return false
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// remove takes b out of rotation, then waits for its in-flight requests to
// finish, so that the instance can stop without failing a request.
func (r *router) remove(b *backend) {
	r.mu.Lock()
	b.removed = true
	for b.active > 0 {
		r.drained.Wait()
	}
	for i, x := range r.backends {
		if x == b {
			r.backends = append(r.backends[:i], r.backends[i+1:]...)
			break
		}
	}
	r.next = 0
	r.mu.Unlock()
	b.stop()
	b.transport.CloseIdleConnections()
}

// readyNames lists the backends in rotation.
func (r *router) readyNames() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	var names []string
	for _, b := range r.backends {
		if b.ready && !b.removed {
			names = append(names, b.name)
		}
	}
	return names
}
