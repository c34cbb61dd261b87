package runtime

import "github.com/gqlplan/gqlplan/runtime/internal/wire"

// Error is one entry of a response's "errors" (see [wire.Error]).
type Error = wire.Error

// Location is a line and column in the document, both 1-based.
type Location = wire.Location

// Error codes, in extensions.code of every error the server returns.
const (
	CodeParseFailed            = wire.CodeParseFailed
	CodeValidationFailed       = wire.CodeValidationFailed
	CodeBadUserInput           = wire.CodeBadUserInput
	CodeBadRequest             = wire.CodeBadRequest
	CodePersistedQueryNotFound = wire.CodePersistedQueryNotFound
	CodeUnauthenticated        = wire.CodeUnauthenticated
	CodeForbidden              = wire.CodeForbidden
	CodeInternal               = wire.CodeInternal
	CodeUnavailable            = wire.CodeUnavailable
	CodeTimeout                = wire.CodeTimeout
	CodeRequestTimeout         = wire.CodeRequestTimeout
	CodeRequestCanceled        = wire.CodeRequestCanceled
	CodeResponseTooLarge       = wire.CodeResponseTooLarge
	CodeRequestTooLarge        = wire.CodeRequestTooLarge
	CodeDocumentTooLarge       = wire.CodeDocumentTooLarge
	CodeDocumentTooDeep        = wire.CodeDocumentTooDeep
	CodeTooManyTokens          = wire.CodeTooManyTokens
	CodeTooManyFields          = wire.CodeTooManyFields
	CodeTooManyAliases         = wire.CodeTooManyAliases
	CodeTooManyRootFields      = wire.CodeTooManyRootFields
	CodeTooManyDirectives      = wire.CodeTooManyDirectives
	CodeCostTooHigh            = wire.CodeCostTooHigh
	CodePageTooLarge           = wire.CodePageTooLarge
	CodeBatchingDisabled       = wire.CodeBatchingDisabled
	CodeBatchTooLarge          = wire.CodeBatchTooLarge
	CodeIntrospectionOff       = wire.CodeIntrospectionOff
	CodeCORSOriginNotAllowed   = wire.CodeCORSOriginNotAllowed
	CodeTooManyOperations      = wire.CodeTooManyOperations
	CodeTooManyConnections     = wire.CodeTooManyConnections
)
