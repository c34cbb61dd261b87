//go:build !linux

package netpoll

import "errors"

// poller is not built here: every watch waits on a goroutine.
type poller struct{}

func newPoller() (*poller, error) { return nil, errors.New("netpoll: no epoll on this system") }

func (*poller) arm(*Watch) error { return errors.ErrUnsupported }
func (*poller) remove(*Watch)    {}
