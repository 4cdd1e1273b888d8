//! The template sandbox: minijinja with no loader (so no `include`, `import` or `extends`),
//! a fuel budget that bounds time and memory, a recursion limit, undefined values that fail
//! when printed or iterated, and a cap on the output. Pure: no I/O.

use std::io;

use minijinja::{Environment, ErrorKind, UndefinedBehavior, Value};

/// The longest template body accepted, in characters.
pub const MAX_BODY_CHARS: usize = 20_000;
/// The fuel of one render: about this many instructions, or 64 bytes of data each.
pub const FUEL: u64 = 50_000;
/// How deeply templates may nest (macros calling macros, nested blocks).
pub const RECURSION_LIMIT: usize = 32;
/// The largest rendered prompt, in bytes.
pub const MAX_OUTPUT_BYTES: usize = 100_000;

/// Why a template cannot be used.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TemplateError {
    /// The body does not parse.
    #[error("{}syntax error: {message}", at(*line))]
    Syntax {
        /// The 1-based line of the error, when known.
        line: Option<usize>,
        /// What the parser expected.
        message: String,
    },
    /// The body parsed but rendering failed (an undefined value, an unknown function…).
    #[error("{}render error: {message}", at(*line))]
    Render {
        /// The 1-based line of the error, when known.
        line: Option<usize>,
        /// What went wrong.
        message: String,
    },
    /// The render used up its fuel (a loop too long, data too large).
    #[error("{}the template ran out of fuel (it does too much work)", at(*line))]
    OutOfFuel {
        /// The 1-based line where it ran out, when known.
        line: Option<usize>,
    },
    /// The rendered prompt is larger than [`MAX_OUTPUT_BYTES`].
    #[error("the rendered prompt is larger than {MAX_OUTPUT_BYTES} bytes")]
    TooLarge,
}

fn at(line: Option<usize>) -> String {
    line.map(|l| format!("line {l}: ")).unwrap_or_default()
}

impl TemplateError {
    fn from_minijinja(err: &minijinja::Error, rendering: bool) -> Self {
        let line = err.line();
        let kind = err.kind();
        let detail = err.detail().map(str::to_owned);
        match kind {
            ErrorKind::OutOfFuel => Self::OutOfFuel { line },
            ErrorKind::WriteFailure => Self::TooLarge,
            _ if rendering => Self::Render {
                line,
                message: detail.map_or_else(|| kind.to_string(), |d| format!("{kind}: {d}")),
            },
            _ => Self::Syntax {
                line,
                message: detail.unwrap_or_else(|| kind.to_string()),
            },
        }
    }
}

fn sandbox<'s>() -> Environment<'s> {
    let mut env = Environment::new();
    env.set_fuel(Some(FUEL));
    env.set_recursion_limit(RECURSION_LIMIT);
    env.set_undefined_behavior(UndefinedBehavior::SemiStrict);
    env
}

/// Whether `body` parses; the error names the line.
pub fn check(body: &str) -> Result<(), TemplateError> {
    sandbox()
        .template_from_str(body)
        .map(|_| ())
        .map_err(|e| TemplateError::from_minijinja(&e, false))
}

/// Renders `body` against `context` inside the sandbox; the output is trimmed.
pub fn render(body: &str, context: &Value) -> Result<String, TemplateError> {
    let env = sandbox();
    let template = env
        .template_from_str(body)
        .map_err(|e| TemplateError::from_minijinja(&e, false))?;
    let mut out = Capped::default();
    template
        .render_captured_to(context.clone(), &mut out)
        .map_err(|e| TemplateError::from_minijinja(&e, true))?;
    let text = String::from_utf8(out.0).map_err(|_| TemplateError::Render {
        line: None,
        message: "the output is not UTF-8".into(),
    })?;
    Ok(text.trim().to_owned())
}

/// An output buffer that refuses to grow past [`MAX_OUTPUT_BYTES`].
#[derive(Default)]
struct Capped(Vec<u8>);

impl io::Write for Capped {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        if self.0.len() + buf.len() > MAX_OUTPUT_BYTES {
            return Err(io::Error::other("prompt too large"));
        }
        self.0.extend_from_slice(buf);
        Ok(buf.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ctx() -> Value {
        minijinja::context! { question => "How do I warm up?", passages => Vec::<Value>::new() }
    }

    #[test]
    fn a_template_that_does_not_parse_names_its_line() {
        let err = check("line one\nline two\n{{ question | }}\nline four").unwrap_err();
        assert!(
            matches!(err, TemplateError::Syntax { line: Some(3), .. }),
            "{err:?}"
        );
        assert!(err.to_string().starts_with("line 3: syntax error"), "{err}");
    }

    #[test]
    fn includes_and_imports_have_no_loader_to_reach() {
        assert!(check("{% include 'secrets.txt' %}").is_err());
        assert!(check("{% extends '/etc/passwd' %}").is_err());
    }

    #[test]
    fn an_unknown_function_fails_at_render_not_at_parse() {
        let body = "{{ lookup_secret() }}";
        assert_eq!(check(body), Ok(()));
        let err = render(body, &ctx()).unwrap_err();
        assert!(
            matches!(err, TemplateError::Render { line: Some(1), .. }),
            "{err:?}"
        );
        assert!(err.to_string().contains("unknown function"), "{err}");
        assert!(err.to_string().contains("lookup_secret"), "{err}");
    }

    #[test]
    fn printing_an_undefined_value_fails_but_testing_it_does_not() {
        assert!(render("{{ persona_typo }}", &ctx()).is_err());
        assert_eq!(
            render("{% if nothing %}x{% endif %}ok", &ctx()),
            Ok("ok".into())
        );
    }

    #[test]
    fn an_endless_loop_runs_out_of_fuel() {
        let body =
            "{% for i in range(100000) %}{% for j in range(100000) %}.{% endfor %}{% endfor %}";
        let err = render(body, &ctx()).unwrap_err();
        assert!(matches!(err, TemplateError::OutOfFuel { .. }), "{err:?}");
    }

    #[test]
    fn a_huge_string_runs_out_of_fuel_before_it_is_built() {
        let err = render("{{ 'x' * 90000000 }}", &ctx()).unwrap_err();
        assert!(matches!(err, TemplateError::OutOfFuel { .. }), "{err:?}");
    }

    #[test]
    fn recursion_is_limited() {
        let body = "{% macro f(n) %}{{ f(n + 1) }}{% endmacro %}{{ f(0) }}";
        assert!(render(body, &ctx()).is_err());
    }

    #[test]
    fn output_past_the_cap_is_refused() {
        let body = "{% for i in range(3) %}{{ 'x' * 60000 }}{% endfor %}";
        let err = render(body, &ctx()).unwrap_err();
        assert_eq!(err, TemplateError::TooLarge);
    }

    #[test]
    fn html_is_not_escaped() {
        let out = render(
            "{{ question }} <b>",
            &minijinja::context! { question => "a & b" },
        );
        assert_eq!(out, Ok("a & b <b>".into()));
    }
}
