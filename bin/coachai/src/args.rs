//! The command line of `coachai`: [`parse`] turns the arguments after the program name into a
//! [`Command`], or an [`ArgsError`] whose one line is what the user sees before exit status 2.

use std::path::PathBuf;

use crate::serve::Service;

/// What `coachai` was asked to do.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Command {
    /// Print [`USAGE`] and exit 0 (`--help`, `-h`, `help` or no arguments).
    Help,
    /// Run one service until SIGTERM.
    Serve(Service),
    /// Apply the database migrations.
    Migrate,
    /// Run the operator until SIGTERM.
    Operator,
    /// Write the CRD YAML into a directory.
    Crds(PathBuf),
}

/// Why the arguments do not name a command.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum ArgsError {
    /// The first argument is no subcommand.
    #[error("unknown command `{0}` (try `coachai --help`)")]
    UnknownCommand(String),
    /// `serve` names no service of the platform.
    #[error("unknown service `{0}`; one of: auth, creator-hub, ai-engine, channel")]
    UnknownService(String),
    /// A subcommand got the wrong number of arguments.
    #[error("usage: coachai {0}")]
    Usage(&'static str),
}

/// The text of `coachai --help`.
pub const USAGE: &str = "\
coachai: the CoachAI platform in one binary

usage:
  coachai serve <auth|creator-hub|ai-engine|channel>
                       run one service until SIGTERM (configuration from the environment,
                       PORT defaulting to the service's own port)
  coachai migrate      apply the database migrations as MIGRATION_DATABASE_URL's role
  coachai operator     run the Kubernetes operator until SIGTERM
  coachai crds <dir>   write the operator's CRD YAML into <dir>
  coachai --help       this text
";

/// Reads the arguments that follow the program name.
pub fn parse(args: &[String]) -> Result<Command, ArgsError> {
    let words: Vec<&str> = args.iter().map(String::as_str).collect();
    match words.as_slice() {
        [] | ["--help" | "-h" | "help"] => Ok(Command::Help),
        ["serve", name] => Service::from_name(name)
            .map(Command::Serve)
            .ok_or_else(|| ArgsError::UnknownService((*name).to_owned())),
        ["serve", ..] => Err(ArgsError::Usage(
            "serve <auth|creator-hub|ai-engine|channel>",
        )),
        ["migrate"] => Ok(Command::Migrate),
        ["migrate", ..] => Err(ArgsError::Usage("migrate")),
        ["operator"] => Ok(Command::Operator),
        ["operator", ..] => Err(ArgsError::Usage("operator")),
        ["crds", dir] => Ok(Command::Crds(PathBuf::from(dir))),
        ["crds", ..] => Err(ArgsError::Usage("crds <dir>")),
        [other, ..] => Err(ArgsError::UnknownCommand((*other).to_owned())),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse_words(words: &[&str]) -> Result<Command, ArgsError> {
        parse(&words.iter().map(|w| (*w).to_owned()).collect::<Vec<_>>())
    }

    #[test]
    fn each_subcommand_parses_to_its_command() {
        assert_eq!(parse_words(&[]), Ok(Command::Help));
        assert_eq!(parse_words(&["--help"]), Ok(Command::Help));
        assert_eq!(
            parse_words(&["serve", "creator-hub"]),
            Ok(Command::Serve(Service::CreatorHub))
        );
        assert_eq!(parse_words(&["migrate"]), Ok(Command::Migrate));
        assert_eq!(parse_words(&["operator"]), Ok(Command::Operator));
        assert_eq!(
            parse_words(&["crds", "out"]),
            Ok(Command::Crds(PathBuf::from("out")))
        );
    }

    #[test]
    fn a_missing_or_extra_argument_shows_the_usage_of_that_subcommand() {
        assert_eq!(parse_words(&["crds"]), Err(ArgsError::Usage("crds <dir>")));
        assert_eq!(
            parse_words(&["migrate", "now"]),
            Err(ArgsError::Usage("migrate"))
        );
        assert_eq!(
            parse_words(&["serve"]),
            Err(ArgsError::Usage(
                "serve <auth|creator-hub|ai-engine|channel>"
            ))
        );
    }

    #[test]
    fn an_unknown_service_is_named_in_the_error() {
        let err = parse_words(&["serve", "gateway"]).unwrap_err();
        assert!(err.to_string().contains("`gateway`"), "{err}");
    }
}
