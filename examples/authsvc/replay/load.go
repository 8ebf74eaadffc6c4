package replay

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"math/rand/v2"
	"net/http"
	"sort"
	"strconv"
	"sync"
	"time"

	"github.com/schemagate/schemagate/examples/authsvc/auth"
)

// outcome is one request as a client saw it.
type outcome struct {
	at      time.Time
	latency time.Duration
	// failure is "" for the expected answer, else what came instead:
	// "401", "404", "503", … or "connection error".
	failure string
}

// recorder collects every request of a run.
type recorder struct {
	mu       sync.Mutex
	outcomes []outcome
}

func (r *recorder) add(o outcome) {
	r.mu.Lock()
	r.outcomes = append(r.outcomes, o)
	r.mu.Unlock()
}

// tally counts the requests made in [from, to); zero times leave that side
// open.
type tally struct {
	requests, failed int
	byFailure        map[string]int
	first, last      time.Time // of the failures
	latencies        []time.Duration
}

func (r *recorder) tally(from, to time.Time) tally {
	r.mu.Lock()
	defer r.mu.Unlock()
	t := tally{byFailure: map[string]int{}}
	for _, o := range r.outcomes {
		if (!from.IsZero() && o.at.Before(from)) || (!to.IsZero() && !o.at.Before(to)) {
			continue
		}
		t.requests++
		t.latencies = append(t.latencies, o.latency)
		if o.failure == "" {
			continue
		}
		t.failed++
		t.byFailure[o.failure]++
		if t.first.IsZero() || o.at.Before(t.first) {
			t.first = o.at
		}
		if o.at.After(t.last) {
			t.last = o.at
		}
	}
	return t
}

// median latency of the tallied requests.
func (t tally) median() time.Duration {
	if len(t.latencies) == 0 {
		return 0
	}
	l := append([]time.Duration(nil), t.latencies...)
	sort.Slice(l, func(i, j int) bool { return l[i] < l[j] })
	return l[len(l)/2]
}

// load runs clients against a region's router until stopped: each signs in
// as a random user of a random tenant of the region (one sign-in in eight
// with a wrong password, which must get 401) and, when signed in, asks
// GET /me with the token.
type load struct {
	stop      chan struct{}
	wg        sync.WaitGroup
	transport *http.Transport
}

func startLoad(routerURL string, tenants []auth.Tenant, clients int, seed uint64, rec *recorder) *load {
	l := &load{stop: make(chan struct{}), transport: &http.Transport{MaxIdleConnsPerHost: clients * 2, IdleConnTimeout: 30 * time.Second}}
	httpClient := &http.Client{Transport: l.transport, Timeout: 10 * time.Second}
	for i := range clients {
		l.wg.Add(1)
		go func() {
			defer l.wg.Done()
			c := client{http: httpClient, base: routerURL, tenants: tenants, rng: rand.New(rand.NewPCG(seed, uint64(i))), rec: rec}
			for {
				select {
				case <-l.stop:
					return
				default:
				}
				c.iteration()
			}
		}()
	}
	return l
}

// halt stops the clients after their current request.
func (l *load) halt() {
	close(l.stop)
	l.wg.Wait()
	l.transport.CloseIdleConnections()
}

type client struct {
	http    *http.Client
	base    string
	tenants []auth.Tenant
	rng     *rand.Rand
	rec     *recorder
}

func (c *client) iteration() {
	t := c.tenants[c.rng.IntN(len(c.tenants))]
	u := t.Users[c.rng.IntN(len(t.Users))]
	password, want := u.Password, http.StatusOK
	if c.rng.IntN(8) == 0 {
		password, want = "not-"+u.Password, http.StatusUnauthorized
	}
	body, _ := json.Marshal(map[string]string{"email": u.Email, "password": password})
	req, _ := http.NewRequestWithContext(context.Background(), http.MethodPost, c.base+"/login", bytes.NewReader(body))
	req.Host = t.Domain
	req.Header.Set("Content-Type", "application/json")
	status, respBody := c.do(req, want)
	if status != http.StatusOK || want != http.StatusOK {
		return
	}
	var login auth.LoginResponse
	if json.Unmarshal(respBody, &login) != nil {
		return
	}
	req, _ = http.NewRequestWithContext(context.Background(), http.MethodGet, c.base+"/me", nil)
	req.Host = t.Domain
	req.Header.Set("Authorization", "Bearer "+login.Token)
	c.do(req, http.StatusOK)
}

// do sends req, records whether the answer was the expected one, and
// returns the status and body.
func (c *client) do(req *http.Request, want int) (int, []byte) {
	start := time.Now()
	resp, err := c.http.Do(req)
	o := outcome{at: start}
	if err != nil {
		o.latency, o.failure = time.Since(start), "connection error"
		c.rec.add(o)
		return 0, nil
	}
	body, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	o.latency = time.Since(start)
	switch {
	case err != nil:
		o.failure = "connection error"
	case resp.StatusCode != want:
		o.failure = strconv.Itoa(resp.StatusCode)
	}
	c.rec.add(o)
	return resp.StatusCode, body
}
