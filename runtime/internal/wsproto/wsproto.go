// Package wsproto is the graphql-transport-ws protocol (the protocol of
// the graphql-ws library, GraphQL over WebSocket): its messages, read
// strictly — a message that is not one of them, or lacks what its type
// needs, is an error the server answers by closing the socket with 4400 —
// and its close codes. It knows nothing of sockets or of GraphQL
// execution.
package wsproto

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
)

// Subprotocol is the WebSocket subprotocol a client must offer.
const Subprotocol = "graphql-transport-ws"

// Message types.
const (
	ConnectionInit = "connection_init"
	ConnectionAck  = "connection_ack"
	Ping           = "ping"
	Pong           = "pong"
	Subscribe      = "subscribe"
	Next           = "next"
	Error          = "error"
	Complete       = "complete"
)

// Close codes of the protocol (and 1001, the server going away).
const (
	CloseGoingAway              = 1001
	CloseBadRequest             = 4400 // a message the protocol does not allow
	CloseUnauthorized           = 4401 // subscribe before connection_ack
	CloseForbidden              = 4403 // the credentials of connection_init are refused
	CloseSubprotocolNotAccepted = 4406
	CloseInitTimeout            = 4408 // no connection_init in time
	CloseSubscriberExists       = 4409 // a subscribe with an id already running
	CloseTooManyInits           = 4429 // a second connection_init
)

// MaxIDLength bounds an operation id: the protocol does not, a server must.
const MaxIDLength = 128

// Message is one message, as a client sends it.
type Message struct {
	Type    string
	ID      string
	Payload json.RawMessage // connection_init, ping, pong: optional object; subscribe: required
	// Subscribe is the payload of a subscribe message, read.
	Subscribe SubscribePayload
}

// SubscribePayload is what a subscribe message asks for: a GraphQL
// request, as over HTTP.
type SubscribePayload struct {
	Query         string         `json:"query"`
	OperationName string         `json:"operationName"`
	Variables     map[string]any `json:"variables"`
	Extensions    map[string]any `json:"extensions"`
	// DocumentID names a trusted document instead of Query (as over
	// HTTP; an Apollo persisted-query hash comes in Extensions).
	DocumentID string `json:"documentId"`
}

// ErrInvalid is the error of a message the protocol does not allow.
var ErrInvalid = errors.New("wsproto: invalid message")

// Decode reads one text message of a client. Numbers in the variables
// stay exact (json.Number).
func Decode(data []byte) (Message, error) {
	var raw struct {
		Type    *string         `json:"type"`
		ID      *string         `json:"id"`
		Payload json.RawMessage `json:"payload"`
	}
	if err := strictDecode(data, &raw); err != nil || raw.Type == nil {
		return Message{}, invalid("not a message of graphql-transport-ws")
	}
	m := Message{Type: *raw.Type, Payload: raw.Payload}
	if raw.ID != nil {
		m.ID = *raw.ID
	}
	nullPayload := len(raw.Payload) == 0 || bytes.Equal(raw.Payload, []byte("null"))
	switch m.Type {
	case ConnectionInit, Ping, Pong:
		if !nullPayload && raw.Payload[0] != '{' {
			return Message{}, invalid("the payload of %s is not an object", m.Type)
		}
		if nullPayload {
			m.Payload = nil
		}
	case Subscribe:
		if err := checkID(raw.ID); err != nil {
			return Message{}, err
		}
		if nullPayload {
			return Message{}, invalid("subscribe without a payload")
		}
		if err := strictDecode(raw.Payload, &m.Subscribe); err != nil {
			return Message{}, invalid("the payload of subscribe is not a GraphQL request")
		}
		if _, hashed := m.Subscribe.Extensions["persistedQuery"]; m.Subscribe.Query == "" && m.Subscribe.DocumentID == "" && !hashed {
			return Message{}, invalid("the payload of subscribe has no query")
		}
	case Complete:
		if err := checkID(raw.ID); err != nil {
			return Message{}, err
		}
	default:
		return Message{}, invalid("unknown message type %q", m.Type)
	}
	return m, nil
}

func checkID(id *string) error {
	switch {
	case id == nil || *id == "":
		return invalid("the message has no id")
	case len(*id) > MaxIDLength:
		return invalid("the id is longer than %d bytes", MaxIDLength)
	}
	return nil
}

// strictDecode decodes one JSON value, numbers as json.Number, and
// nothing after it.
func strictDecode(data []byte, v any) error {
	d := json.NewDecoder(bytes.NewReader(data))
	d.UseNumber()
	if err := d.Decode(v); err != nil {
		return err
	}
	if d.More() {
		return errors.New("data after the message")
	}
	if _, err := d.Token(); err == nil {
		return errors.New("data after the message")
	}
	return nil
}

func invalid(format string, args ...any) error {
	return fmt.Errorf("%w: %s", ErrInvalid, fmt.Sprintf(format, args...))
}

// Encode writes a server message: type, id (when not ""), payload (when
// not nil).
func Encode(typ, id string, payload json.RawMessage) []byte {
	var b bytes.Buffer
	b.WriteString(`{"type":`)
	t, _ := json.Marshal(typ)
	b.Write(t)
	if id != "" {
		b.WriteString(`,"id":`)
		i, _ := json.Marshal(id)
		b.Write(i)
	}
	if payload != nil {
		b.WriteString(`,"payload":`)
		b.Write(payload)
	}
	b.WriteByte('}')
	return b.Bytes()
}
