// Package constraints will hold precision constraint sets (layer → precision
// and output types, rules by name pattern or op type), their file format and
// exports, and the search strategies that find them. It is filled by the
// precision-debugging work; for now it only parses the command-line form used
// by `gotrt run --layer-precisions`.
package constraints
