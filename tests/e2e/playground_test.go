package e2e

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/input"
	"github.com/chromedp/chromedp"
)

// chromium is Debian's browser (package chromium), which .ci/run installs.
const chromium = "/usr/bin/chromium"

// TestGraphiQLInChromium opens GraphiQL, as `gqlplan dev examples/forum
// --token …` serves it, in headless Chromium that can reach the server
// and nothing else: it opens the docs for Post (their description is the
// SQL's comment), gets allPosts suggested for "{ allPo", and runs a query
// with the development token the page put in the headers editor. Every
// file the page loaded came from the server. A screenshot is left in the
// test's artifacts (go test -artifacts).
func TestGraphiQLInChromium(t *testing.T) {
	addr, _ := startDev(t, "--token", `{"role":"forum_example_person","person_id":1}`)
	ctx := headlessChromium(t)
	graphiql := openGraphiQL(t, ctx, addr)
	if err := chromedp.Do(ctx,
		chromedp.Click(chromedp.CSS(`button[aria-label="Show Documentation Explorer"]`)),
		chromedp.SendKeys(chromedp.CSS(".graphiql-doc-explorer-search input"), "Post"),
	); err != nil {
		t.Fatalf("searching the docs: %v", err)
	}
	graphiql.await("Post first among the matches", `document.querySelector('.graphiql-doc-explorer-search [role=option]')?.innerText.trim() === 'Post'`)
	if err := chromedp.Do(ctx, chromedp.KeyEvent("\r")); err != nil {
		t.Fatal(err)
	}
	graphiql.await("the docs of Post", `document.querySelector('.graphiql-doc-explorer-title')?.innerText === 'Post' &&
		document.querySelector('.graphiql-doc-explorer-content').innerText.includes('A forum post written by a user.')`)

	graphiql.focusQueryEditor()
	if err := chromedp.Do(ctx, chromedp.KeyEvent("a", chromedp.KeyModifiers(chromedp.ModifierCtrl)), chromedp.KeyEvent("{ allPo")); err != nil {
		t.Fatal(err)
	}
	graphiql.await("allPosts suggested", `[...document.querySelectorAll('.suggest-widget .monaco-list-row')].some(r => r.getAttribute('aria-label') === 'allPosts')`)

	graphiql.replaceQuery("Mine", `query Mine { currentPerson { fullName } allPosts(limit: 1) { headline } }`)
	if err := chromedp.Do(ctx, chromedp.Click(chromedp.CSS(".graphiql-execute-button"))); err != nil {
		t.Fatal(err)
	}
	graphiql.await("the query's result", `responseText().includes('Sara Powell')`)
	response := graphiql.eval("responseText()")
	if !strings.Contains(response, `"currentPerson"`) || strings.Contains(response, `"errors"`) {
		t.Errorf("the response GraphiQL shows: %s", response)
	}
	png, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
	if err != nil || !bytes.HasPrefix(png, []byte("\x89PNG")) {
		t.Fatalf("screenshot: %v", err)
	}
	if err := os.WriteFile(filepath.Join(t.ArtifactDir(), "graphiql.png"), png, 0o644); err != nil {
		t.Fatal(err)
	}
	var loaded []string
	if err := json.Unmarshal([]byte(graphiql.eval(`JSON.stringify(performance.getEntriesByType('resource').map(e => e.name))`)), &loaded); err != nil {
		t.Fatal(err)
	}
	for _, u := range loaded {
		if !strings.HasPrefix(u, "http://"+addr+"/") {
			t.Errorf("the page loaded %s, from elsewhere than the server", u)
		}
	}
	if len(loaded) < 5 {
		t.Errorf("the page loaded %d files: %v", len(loaded), loaded)
	}
}

// TestGraphiQLSubscribes: a subscription run in GraphiQL goes over the
// WebSocket, with the headers editor's token in connection_init: its
// first result shows, then, after a post is written over HTTP, the
// result holding it.
func TestGraphiQLSubscribes(t *testing.T) {
	addr, token := startDev(t, "--token", `{"role":"forum_example_person","person_id":1}`)
	ctx := headlessChromium(t)
	graphiql := openGraphiQL(t, ctx, addr)
	graphiql.focusQueryEditor()
	graphiql.replaceQuery("Latest", `subscription Latest { latestPosts(limit: 1) { headline author { fullName } } }`)
	if err := chromedp.Do(ctx, chromedp.Click(chromedp.CSS(".graphiql-execute-button"))); err != nil {
		t.Fatal(err)
	}
	graphiql.await("the first result", `responseText().includes('latestPosts')`)
	s := &server{url: "http://" + addr + "/graphql"}
	if r := s.post(t, token, `mutation { createPost(authorId: 1, headline: "seen in GraphiQL") { headline } }`, nil); len(r.Errors) > 0 {
		t.Fatalf("createPost: %+v", r.Errors)
	}
	graphiql.await("the result after the change", `responseText().includes('seen in GraphiQL')`)
}

// graphiqlPage drives GraphiQL in a tab.
type graphiqlPage struct {
	t   *testing.T
	ctx context.Context
}

// openGraphiQL opens GraphiQL at addr and waits for its query editor.
func openGraphiQL(t *testing.T, ctx context.Context, addr string) *graphiqlPage {
	t.Helper()
	if err := chromedp.Do(ctx, chromedp.Navigate("http://"+addr+"/"), chromedp.WaitVisible(chromedp.CSS(".graphiql-query-editor .monaco-editor"))); err != nil {
		t.Fatalf("opening GraphiQL: %v", err)
	}
	g := &graphiqlPage{t: t, ctx: ctx}
	// The response editor's text; Monaco shows spaces as no-break spaces.
	g.eval(`window.responseText = () => document.querySelector('.graphiql-response').innerText.replaceAll('\u00a0', ' '); ''`)
	return g
}

func (g *graphiqlPage) eval(js string) string {
	g.t.Helper()
	s, err := chromedp.Run(g.ctx, chromedp.Evaluate[string](js))
	if err != nil {
		g.t.Fatalf("%.60s: %v", js, err)
	}
	return s
}

// await polls the expression cond until it is true.
func (g *graphiqlPage) await(what, cond string) {
	g.t.Helper()
	for deadline := time.Now().Add(30 * time.Second); ; time.Sleep(50 * time.Millisecond) {
		ok, err := chromedp.Run(g.ctx, chromedp.Evaluate[bool](fmt.Sprintf("!!(%s)", cond)))
		if err == nil && ok {
			return
		}
		if time.Now().After(deadline) {
			png, _ := chromedp.Run(g.ctx, chromedp.FullScreenshot(100))
			_ = os.WriteFile(filepath.Join(g.t.ArtifactDir(), "timeout.png"), png, 0o644)
			g.t.Fatalf("GraphiQL did not show %s (%v)", what, err)
		}
	}
}

// focusQueryEditor puts the keyboard in the query editor (Monaco's input
// element, which takes the keys a user types).
func (g *graphiqlPage) focusQueryEditor() {
	g.t.Helper()
	if got := g.eval(`(() => { document.querySelector('.graphiql-query-editor textarea').focus(); return document.activeElement.tagName })()`); got != "TEXTAREA" {
		g.t.Fatalf("the query editor did not take the focus (%s has it)", got)
	}
}

// replaceQuery replaces the query editor's text with query, an operation
// named name, inserted as a paste is (typed, the editor would close each
// bracket a second time); it returns once GraphiQL has read it (after a
// debounce: the tab is then named for the operation).
func (g *graphiqlPage) replaceQuery(name, query string) {
	g.t.Helper()
	g.focusQueryEditor()
	if err := chromedp.Do(g.ctx, chromedp.KeyEvent("a", chromedp.KeyModifiers(chromedp.ModifierCtrl))); err != nil {
		g.t.Fatal(err)
	}
	if _, err := chromedp.Call(g.ctx, input.InsertText, input.InsertTextParams{Text: query}); err != nil {
		g.t.Fatal(err)
	}
	g.await("the query read", fmt.Sprintf(`document.querySelector('.graphiql-tab-active')?.innerText.trim() === %q`, name))
}

// headlessChromium is a browser tab for the test, closed when it ends,
// that resolves no host name but the server's: nothing reaches the
// network beyond it. Its context ends after 90 s.
func headlessChromium(t *testing.T) context.Context {
	t.Helper()
	if _, err := os.Stat(chromium); err != nil {
		t.Fatalf("this test drives Chromium: install Debian's chromium package (.ci/run does): %v", err)
	}
	opts := append(chromedp.DefaultExecAllocatorOptions[:], chromedp.ExecPath(chromium), chromedp.NoSandbox, chromedp.Headless,
		chromedp.WindowSize(1400, 900), chromedp.Flag("host-resolver-rules", "MAP * ~NOTFOUND, EXCLUDE 127.0.0.1"))
	allocCtx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancel := chromedp.NewContext(allocCtx)
	ctx, cancelTimeout := context.WithTimeout(ctx, 90*time.Second)
	t.Cleanup(func() { cancelTimeout(); cancel(); cancelAlloc() })
	return ctx
}

// TestServeGraphiQLOnlyWithPlayground: serve has GraphiQL at / with
// --playground, without a token in the page; without it, / is not found.
func TestServeGraphiQLOnlyWithPlayground(t *testing.T) {
	admin, login, plan := compileExample(t, "forum", "forum_example_gqlplan")
	for _, c := range []struct {
		flags []string
		want  int
	}{{nil, 404}, {[]string{"--playground"}, 200}} {
		s := serve(t, admin, login, plan, c.flags...)
		root := strings.TrimSuffix(s.url, "graphql")
		if got := statusOf(t, root); got != c.want {
			t.Errorf("serve %v: / answers %d, want %d", c.flags, got, c.want)
		}
		if c.want == 200 {
			if got := statusOf(t, root+"graphiql/graphiql.js"); got != 200 {
				t.Errorf("serve --playground: graphiql.js answers %d", got)
			}
		}
	}
}
