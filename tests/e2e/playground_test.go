package e2e

import (
	"context"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// chromium is Debian's browser (package chromium), which .ci/run installs.
const chromium = "/usr/bin/chromium"

// TestPlaygroundInChromium starts `gqlplan dev examples/forum` as make demo
// does, opens the playground in headless Chromium, types a query and the
// printed token into it, runs it, and reads the result off the page.
func TestPlaygroundInChromium(t *testing.T) {
	addr, token := startDev(t, "--token", `{"role":"forum_example_person","person_id":1}`)
	ctx := headlessChromium(t)
	err := chromedp.Do(ctx,
		chromedp.Navigate("http://"+addr+"/"),
		chromedp.WaitVisible(chromedp.ID("query")),
		chromedp.Clear(chromedp.ID("query")),
		chromedp.SendKeys(chromedp.ID("query"), `{ currentPerson { fullName } postById(id: "`+globalID("Post", 2)+`") { headline } }`),
		chromedp.SendKeys(chromedp.ID("authorization"), "Bearer "+token),
		chromedp.Click(chromedp.ID("run")),
		chromedp.WaitVisible(chromedp.Search(`//pre[@id="result"][contains(., "fullName")]`)),
	)
	if err != nil {
		t.Fatalf("driving the playground: %v", err)
	}
	result, err := chromedp.Run(ctx, chromedp.Text(chromedp.ID("result")))
	if err != nil {
		t.Fatal(err)
	}
	status, _ := chromedp.Run(ctx, chromedp.Text(chromedp.ID("status")))
	if !strings.Contains(result, "Sara Powell") || !strings.Contains(result, "My first circuit board") {
		t.Errorf("the playground shows %q (status %q)", result, status)
	}
}

// TestPlaygroundSubscribes: a subscription typed into the playground is
// read as an event stream: the result shows, then, after a post is
// written over HTTP, the result holding it; Stop ends it.
func TestPlaygroundSubscribes(t *testing.T) {
	addr, token := startDev(t, "--token", `{"role":"forum_example_person","person_id":1}`)
	ctx := headlessChromium(t)
	err := chromedp.Do(ctx,
		chromedp.Navigate("http://"+addr+"/"),
		chromedp.WaitVisible(chromedp.ID("query")),
		chromedp.Clear(chromedp.ID("query")),
		chromedp.SendKeys(chromedp.ID("query"), `subscription { latestPosts(limit: 1) { headline } }`),
		chromedp.Click(chromedp.ID("run")),
		chromedp.WaitVisible(chromedp.Search(`//span[@id="status"][contains(., "result 1")]`)),
	)
	if err != nil {
		t.Fatalf("subscribing in the playground: %v", err)
	}
	s := &server{url: "http://" + addr + "/graphql"}
	if r := s.post(t, token, `mutation { createPost(authorId: 1, headline: "seen in the playground") { headline } }`, nil); len(r.Errors) > 0 {
		t.Fatalf("createPost: %+v", r.Errors)
	}
	if err := chromedp.Do(ctx,
		chromedp.WaitVisible(chromedp.Search(`//pre[@id="result"][contains(., "seen in the playground")]`)),
		chromedp.Click(chromedp.ID("stop")),
		chromedp.WaitVisible(chromedp.Search(`//span[@id="status"][contains(., "stopped")]`)),
	); err != nil {
		t.Fatalf("the playground's subscription: %v", err)
	}
}

// headlessChromium is a browser tab for the test, closed when it ends;
// its context ends after 90 s.
func headlessChromium(t *testing.T) context.Context {
	t.Helper()
	if _, err := os.Stat(chromium); err != nil {
		t.Fatalf("this test drives Chromium: install Debian's chromium package (.ci/run does): %v", err)
	}
	opts := append(chromedp.DefaultExecAllocatorOptions[:], chromedp.ExecPath(chromium), chromedp.NoSandbox, chromedp.Headless)
	allocCtx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancel := chromedp.NewContext(allocCtx)
	ctx, cancelTimeout := context.WithTimeout(ctx, 90*time.Second)
	t.Cleanup(func() { cancelTimeout(); cancel(); cancelAlloc() })
	return ctx
}
