//! The CRD reference for people (`docs/03-api-specifications/crds.md`), generated from the same
//! definitions as `crds/` (`make crds`): per kind its names, printer columns, and one row per
//! field of `spec` and `status` with type, default, validation and description.

use k8s_openapi::apiextensions_apiserver::pkg::apis::apiextensions::v1::CustomResourceDefinition;
use serde_json::Value;

/// Where `make crds` writes the reference, from the repository's root.
pub const REFERENCE_PATH: &str = "docs/03-api-specifications/crds.md";

/// The reference of `crds` as one Markdown document.
pub fn markdown(crds: &[(&str, CustomResourceDefinition)]) -> String {
    let mut out = String::from(
        "# CRD reference\n\n<!-- Generated from operator/src/crd by `make crds`; do not edit. -->\n\n\
         The custom resources of the operator ([operator.md](../02-architecture/operator.md)). \
         `kubectl explain <kind>.spec` shows the same descriptions from the API server.\n",
    );
    for (_, crd) in crds {
        out.push_str(&kind_section(crd));
    }
    out
}

fn kind_section(crd: &CustomResourceDefinition) -> String {
    let names = &crd.spec.names;
    let mut out = format!("\n## {}\n\n", names.kind);
    let short = names.short_names.clone().unwrap_or_default().join(", ");
    for version in &crd.spec.versions {
        out.push_str(&format!(
            "`{}/{}`, {} (plural `{}`{}){}.\n",
            crd.spec.group,
            version.name,
            crd.spec.scope.to_lowercase(),
            names.plural,
            if short.is_empty() {
                String::new()
            } else {
                format!(", short name `{short}`")
            },
            if version
                .subresources
                .as_ref()
                .and_then(|s| s.status.as_ref())
                .is_some()
            {
                ", status subresource"
            } else {
                ""
            },
        ));
        let columns = version
            .additional_printer_columns
            .clone()
            .unwrap_or_default();
        if !columns.is_empty() {
            out.push_str("\n| column | from |\n|---|---|\n");
            for column in columns {
                out.push_str(&format!("| {} | `{}` |\n", column.name, column.json_path));
            }
        }
        let schema = version
            .schema
            .as_ref()
            .and_then(|s| s.open_api_v3_schema.as_ref())
            .and_then(|s| serde_json::to_value(s).ok())
            .unwrap_or(Value::Null);
        out.push_str(&fields_table("spec", &schema["properties"]["spec"]));
        out.push_str(&fields_table("status", &schema["properties"]["status"]));
    }
    out
}

fn fields_table(root: &str, schema: &Value) -> String {
    if schema.is_null() {
        return String::new();
    }
    let mut rows = Vec::new();
    walk(root, schema, false, &mut rows);
    let mut out = format!(
        "\n### `{root}`\n\n| field | type | default | validation | description |\n|---|---|---|---|---|\n"
    );
    for row in rows {
        out.push_str(&row);
    }
    out
}

fn walk(path: &str, schema: &Value, required: bool, rows: &mut Vec<String>) {
    rows.push(row(path, schema, required));
    let needed = required_fields(schema);
    if let Some(properties) = schema["properties"].as_object() {
        let mut names: Vec<&String> = properties.keys().collect();
        names.sort();
        for name in names {
            let child = format!("{path}.{name}");
            walk(&child, &properties[name], needed.contains(name), rows);
        }
    }
    if schema["items"]["properties"].is_object() {
        walk(&format!("{path}[]"), &schema["items"], false, rows);
    }
}

fn required_fields(schema: &Value) -> Vec<String> {
    schema["required"]
        .as_array()
        .map(|names| {
            names
                .iter()
                .filter_map(|n| n.as_str().map(str::to_owned))
                .collect()
        })
        .unwrap_or_default()
}

fn row(path: &str, schema: &Value, required: bool) -> String {
    let default = schema
        .get("default")
        .map(|d| format!("`{d}`"))
        .unwrap_or_default();
    format!(
        "| `{path}`{} | {} | {} | {} | {} |\n",
        if required { " (required)" } else { "" },
        type_of(schema),
        cell(&default),
        cell(&validation(schema)),
        cell(schema["description"].as_str().unwrap_or("")),
    )
}

fn type_of(schema: &Value) -> String {
    if schema["x-kubernetes-int-or-string"].as_bool() == Some(true) {
        return "quantity (integer or string)".to_owned();
    }
    let base = schema["type"].as_str().unwrap_or("object");
    match (
        base,
        schema["items"]["type"].as_str(),
        schema["format"].as_str(),
    ) {
        ("array", Some(item), _) => format!("array of {item}"),
        ("array", None, _) => "array of object".to_owned(),
        (_, _, Some(format)) => format!("{base} ({format})"),
        _ => base.to_owned(),
    }
}

fn validation(schema: &Value) -> String {
    let mut parts = Vec::new();
    if let Some(values) = schema["enum"].as_array() {
        let names: Vec<String> = values.iter().map(|v| format!("`{}`", plain(v))).collect();
        parts.push(format!("one of {}", names.join(", ")));
    }
    for (key, word) in BOUNDS {
        if let Some(bound) = schema.get(*key) {
            parts.push(format!("{word} {}", plain(bound)));
        }
    }
    if let Some(pattern) = schema["pattern"].as_str() {
        parts.push(format!("matches `{pattern}`"));
    }
    for rule in schema["x-kubernetes-validations"]
        .as_array()
        .into_iter()
        .flatten()
    {
        let message = rule["message"].as_str().unwrap_or("");
        parts.push(format!("`{}` ({message})", plain(&rule["rule"])));
    }
    parts.join("; ")
}

const BOUNDS: &[(&str, &str)] = &[
    ("minimum", "min"),
    ("maximum", "max"),
    ("minLength", "min length"),
    ("maxLength", "max length"),
    ("minItems", "min items"),
    ("maxItems", "max items"),
];

/// A value without JSON quoting; whole numbers without a fraction (`0`, not `0.0`).
fn plain(value: &Value) -> String {
    match (value.as_str(), value.as_f64()) {
        (Some(text), _) => text.to_owned(),
        (None, Some(number)) if number.fract() == 0.0 && number.abs() < 1e15 => {
            format!("{number:.0}")
        }
        _ => value.to_string(),
    }
}

/// A table cell: one line, pipes escaped.
fn cell(text: &str) -> String {
    text.split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .replace('|', "\\|")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_field_of_each_kind_has_a_row_with_its_description() {
        let text = markdown(&crate::crd::all());
        assert!(text.contains("\n## Creator\n"));
        assert!(text.contains("\n## Platform\n"));
        assert!(text.contains("| `spec.slug` (required) | string |"));
        assert!(text.contains("`self == oldSelf` (slug is immutable)"));
        assert!(text.contains("| `spec.models.chat` |"));
        assert!(text.contains("| Ready | `.status.conditions"));
    }

    #[test]
    fn a_cell_is_one_line_with_its_pipes_escaped() {
        assert_eq!(cell("a |\n  b"), "a \\| b");
    }

    #[test]
    fn enums_bounds_and_patterns_are_spelled_out() {
        let schema = serde_json::json!({
            "type": "integer", "minimum": 0, "enum": [1, 2], "pattern": "^a$"
        });
        assert_eq!(validation(&schema), "one of `1`, `2`; min 0; matches `^a$`");
        assert_eq!(
            type_of(&serde_json::json!({"type": "array", "items": {"type": "string"}})),
            "array of string"
        );
    }
}
