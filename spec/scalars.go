package spec

// Scalar describes a scalar every plan may use: the five of GraphQL and
// the ones PostgreSQL APIs need. The SDL and introspection both print
// these, so a client sees the same description and specifiedByURL however
// it reads the schema.
type Scalar struct {
	Name        string
	Description string
	// SpecifiedBy is the URL of the specification of the wire format
	// (@specifiedBy); "" for GraphQL's own scalars.
	SpecifiedBy string
	// BuiltIn: one of GraphQL's own five, which an SDL does not declare.
	BuiltIn bool
}

// Scalars are the scalars of every plan, by name.
var Scalars = map[string]Scalar{
	// GraphQL's five, with the descriptions graphql-js gives them.
	"Int":     {Name: "Int", BuiltIn: true, Description: "The `Int` scalar type represents non-fractional signed whole numeric values. Int can represent values between -(2^31) and 2^31 - 1."},
	"Float":   {Name: "Float", BuiltIn: true, Description: "The `Float` scalar type represents signed double-precision fractional values as specified by [IEEE 754](https://en.wikipedia.org/wiki/IEEE_floating_point)."},
	"String":  {Name: "String", BuiltIn: true, Description: "The `String` scalar type represents textual data, represented as UTF-8 character sequences. The String type is most often used by GraphQL to represent free-form human-readable text."},
	"Boolean": {Name: "Boolean", BuiltIn: true, Description: "The `Boolean` scalar type represents `true` or `false`."},
	"ID":      {Name: "ID", BuiltIn: true, Description: "The `ID` scalar type represents a unique identifier, often used to refetch an object or as key for a cache. The ID type appears in a JSON response as a String; however, it is not intended to be human-readable. When expected as an input type, any string (such as `\"4\"`) or integer (such as `4`) input value will be accepted as an ID."},

	"BigInt":   {Name: "BigInt", Description: "A 64-bit integer, written as a string so that JavaScript clients keep every digit.", SpecifiedBy: "https://www.postgresql.org/docs/current/datatype-numeric.html#DATATYPE-INT"},
	"Decimal":  {Name: "Decimal", Description: "An exact decimal number, written as a string.", SpecifiedBy: "https://www.postgresql.org/docs/current/datatype-numeric.html#DATATYPE-NUMERIC-DECIMAL"},
	"DateTime": {Name: "DateTime", Description: "A date and time with a time zone offset, RFC 3339 (2024-05-01T12:00:00Z); PostgreSQL's timestamp with time zone.", SpecifiedBy: "https://datatracker.ietf.org/doc/html/rfc3339#section-5.6"},
	// LocalDateTime is what PostgreSQL's timestamp without time zone
	// holds: read as DateTime it would lack an offset, and an offset sent
	// with it would be ignored.
	"LocalDateTime": {Name: "LocalDateTime", Description: "A date and time without a time zone, ISO 8601 (2024-05-01T12:00:00); PostgreSQL's timestamp without time zone.", SpecifiedBy: "https://www.iso.org/iso-8601-date-and-time-format.html"},
	"Date":          {Name: "Date", Description: "A calendar date, YYYY-MM-DD (RFC 3339 full-date).", SpecifiedBy: "https://datatracker.ietf.org/doc/html/rfc3339#section-5.6"},
	"Time":          {Name: "Time", Description: "A time of day, HH:MM:SS with optional fraction and offset (RFC 3339 partial-time or full-time).", SpecifiedBy: "https://datatracker.ietf.org/doc/html/rfc3339#section-5.6"},
	"UUID":          {Name: "UUID", Description: "A UUID in its canonical text form.", SpecifiedBy: "https://datatracker.ietf.org/doc/html/rfc9562"},
	"JSON":          {Name: "JSON", Description: "Any JSON value.", SpecifiedBy: "https://datatracker.ietf.org/doc/html/rfc8259"},
}
