package lint

import (
	"strings"

	pg "github.com/pganalyze/pg_query_go/v6"
)

// volatility is a function's provolatile in pg_proc, ordered so that the
// volatility of an expression is the maximum over its parts.
type volatility int

const (
	immutable volatility = iota
	stable
	volatile
)

// pgVolatility lists built-in functions (and the common extension ones)
// by name. A default is evaluated once, when ADD COLUMN runs, unless it is
// volatile: so immutable and stable functions (now(), current_date) allow
// PostgreSQL 11's fast default, and volatile ones force a rewrite. A
// function missing here is taken as volatile, the same default CREATE
// FUNCTION applies, unless the migrations declare it.
var pgVolatility = map[string]volatility{
	// volatile: a new value per call
	"random": volatile, "random_normal": volatile, "setseed": volatile,
	"gen_random_uuid": volatile, "uuidv4": volatile, "uuidv7": volatile,
	"uuid_generate_v1": volatile, "uuid_generate_v1mc": volatile, "uuid_generate_v4": volatile,
	"gen_random_bytes": volatile, "gen_salt": volatile,
	"clock_timestamp": volatile, "timeofday": volatile,
	"nextval": volatile, "currval": volatile, "lastval": volatile, "setval": volatile,
	"txid_current": stable, "pg_current_xact_id": volatile,
	// stable: fixed within a statement
	"now": stable, "transaction_timestamp": stable, "statement_timestamp": stable,
	"current_setting": stable, "current_database": stable, "current_schema": stable,
	"current_user": stable, "session_user": stable, "to_char": stable, "to_timestamp": stable,
	"age": stable, "date_trunc": stable, "timezone": stable, "to_date": stable,
	// immutable
	"lower": immutable, "upper": immutable, "length": immutable, "char_length": immutable,
	"btrim": immutable, "trim": immutable, "ltrim": immutable, "rtrim": immutable,
	"substr": immutable, "substring": immutable, "replace": immutable, "concat_ws": immutable,
	"md5": immutable, "sha256": immutable, "abs": immutable, "round": immutable, "floor": immutable,
	"ceil": immutable, "greatest": immutable, "least": immutable, "coalesce": immutable,
	"nullif": immutable, "make_interval": immutable, "make_date": immutable,
	"jsonb_build_object": stable, "json_build_object": stable, "jsonb_build_array": stable,
	"json_build_array": stable, "to_jsonb": stable, "to_json": stable,
	"array_fill": immutable, "int4range": immutable, "int8range": immutable, "numrange": immutable,
	"tstzrange": immutable, "daterange": immutable, "tsrange": immutable,
	"encode": immutable, "decode": immutable, "convert_to": stable, "uuid_nil": immutable,
	"concat": stable, "format": stable, "left": immutable, "right": immutable,
}

// exprVolatility returns the volatility of a default expression, and the
// name of the function that made it volatile. An expression form it does
// not know is volatile: a rule may not call a default safe that it has not
// understood.
func exprVolatility(n *pg.Node, funcs map[string]volatility) (volatility, string) {
	if n == nil {
		return immutable, ""
	}
	switch x := n.Node.(type) {
	case *pg.Node_AConst:
		return immutable, ""
	case *pg.Node_TypeCast:
		// A cast of a constant ('{}'::text[], FALSE::boolean,
		// 'now'::timestamptz) is folded when the default is stored.
		return exprVolatility(x.TypeCast.Arg, funcs)
	case *pg.Node_SqlvalueFunction:
		// CURRENT_TIMESTAMP, CURRENT_DATE, LOCALTIME, CURRENT_USER, …
		return stable, ""
	case *pg.Node_FuncCall:
		name := strings.ToLower(lastName(x.FuncCall.Funcname))
		v, ok := funcs[name]
		if !ok {
			v, ok = pgVolatility[name]
		}
		if !ok {
			v = volatile
		}
		worst, culprit := v, ""
		if v == volatile {
			culprit = name + "()"
		}
		for _, a := range x.FuncCall.Args {
			if av, c := exprVolatility(a, funcs); av > worst {
				worst, culprit = av, c
			}
		}
		return worst, culprit
	case *pg.Node_AExpr:
		// Operators on built-in types are immutable or stable.
		lv, lc := exprVolatility(x.AExpr.Lexpr, funcs)
		rv, rc := exprVolatility(x.AExpr.Rexpr, funcs)
		if rv > lv {
			return rv, rc
		}
		return lv, lc
	case *pg.Node_AArrayExpr:
		return listVolatility(x.AArrayExpr.Elements, funcs)
	case *pg.Node_BoolExpr:
		return listVolatility(x.BoolExpr.Args, funcs)
	case *pg.Node_CoalesceExpr:
		return listVolatility(x.CoalesceExpr.Args, funcs)
	case *pg.Node_MinMaxExpr:
		return listVolatility(x.MinMaxExpr.Args, funcs)
	case *pg.Node_RowExpr:
		return listVolatility(x.RowExpr.Args, funcs)
	case *pg.Node_List:
		return listVolatility(x.List.Items, funcs)
	case *pg.Node_NullTest:
		return exprVolatility(x.NullTest.Arg, funcs)
	case *pg.Node_BooleanTest:
		return exprVolatility(x.BooleanTest.Arg, funcs)
	case *pg.Node_CollateClause:
		return exprVolatility(x.CollateClause.Arg, funcs)
	case *pg.Node_CaseExpr:
		parts := []*pg.Node{x.CaseExpr.Arg, x.CaseExpr.Defresult}
		for _, w := range x.CaseExpr.Args {
			if cw := w.GetCaseWhen(); cw != nil {
				parts = append(parts, cw.Expr, cw.Result)
			}
		}
		return listVolatility(parts, funcs)
	}
	return volatile, "an expression schemagate cannot evaluate"
}

func listVolatility(ns []*pg.Node, funcs map[string]volatility) (volatility, string) {
	worst, culprit := immutable, ""
	for _, n := range ns {
		if v, c := exprVolatility(n, funcs); v > worst {
			worst, culprit = v, c
		}
	}
	return worst, culprit
}

// lastName returns the last String of a qualified name list.
func lastName(names []*pg.Node) string {
	for i := len(names) - 1; i >= 0; i-- {
		if s := names[i].GetString_(); s != nil {
			return s.Sval
		}
	}
	return ""
}
