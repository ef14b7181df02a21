//! Reading back the statements a migration step runs: which tables each one
//! names, and whether it walks their pages (what the check before a
//! migration needs to know of a lowered statement).

/// What a statement staged generates does, by the tables it names.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Shape {
    /// `DROP TABLE t`: SQLite walks every page of `t` to free it.
    DropTable(String),
    /// `DROP INDEX [IF EXISTS] i`: SQLite walks every page of `i`.
    DropIndex(String),
    /// `ALTER TABLE t RENAME TO u`: the schema only.
    RenameTable {
        /// The table's name before.
        from: String,
        /// Its name after.
        to: String,
    },
    /// `ALTER TABLE t DROP COLUMN c`: every row of `t` rewritten in place.
    DropColumn(String),
    /// `ALTER TABLE t RENAME COLUMN …` or `ADD COLUMN …`: the schema only.
    AlterColumn(String),
    /// `CREATE [UNIQUE] INDEX i ON t …`: reads every row of `t`.
    CreateIndex(String),
    /// `CREATE TABLE t (…)`, or `CREATE TABLE t AS SELECT … FROM u`, which
    /// reads every row of `u`.
    CreateTable {
        /// The new table.
        table: String,
        /// The table its rows are selected from, if any.
        from: Option<String>,
    },
    /// `INSERT INTO t …`, or `INSERT INTO t … SELECT … FROM u`, which reads
    /// every row of `u` (a `FROM` inside parentheses, as in the sequence
    /// seed's `max()` lookups, reads one row through an index).
    Insert {
        /// The table written (`sqlite_sequence` unquoted as SQLite names it).
        into: String,
        /// The table every row is selected from, if any.
        from: Option<String>,
    },
}

/// The shape of `statement`, one of the kinds staged generates for a
/// migration step; `None` for any other.
pub fn shape(statement: &str) -> Option<Shape> {
    let tokens = tokens(statement);
    let word = |i: usize, w: &str| matches!(tokens.get(i), Some(Token::Word(x)) if x.eq_ignore_ascii_case(w));
    let name = |i: usize| match tokens.get(i) {
        Some(Token::Name(n)) => Some(n.clone()),
        _ => None,
    };
    if word(0, "DROP") {
        let at = if word(2, "IF") && word(3, "EXISTS") {
            4
        } else {
            2
        };
        let dropped = name(at)?;
        return if word(1, "TABLE") {
            Some(Shape::DropTable(dropped))
        } else if word(1, "INDEX") {
            Some(Shape::DropIndex(dropped))
        } else {
            None
        };
    }
    if word(0, "ALTER") && word(1, "TABLE") {
        let table = name(2)?;
        return if word(3, "RENAME") && word(4, "TO") {
            Some(Shape::RenameTable {
                from: table,
                to: name(5)?,
            })
        } else if word(3, "DROP") {
            Some(Shape::DropColumn(table))
        } else if word(3, "RENAME") || word(3, "ADD") {
            Some(Shape::AlterColumn(table))
        } else {
            None
        };
    }
    if word(0, "CREATE") {
        let at = if word(1, "UNIQUE") { 2 } else { 1 };
        if word(at, "INDEX") {
            return word(at + 2, "ON")
                .then(|| name(at + 3))
                .flatten()
                .map(Shape::CreateIndex);
        }
        if word(1, "TABLE") {
            return Some(Shape::CreateTable {
                table: name(2)?,
                from: top_level_from(&tokens),
            });
        }
        return None;
    }
    if word(0, "INSERT") && word(1, "INTO") {
        let into = match tokens.get(2) {
            Some(Token::Name(n) | Token::Word(n)) => n.clone(),
            _ => return None,
        };
        return Some(Shape::Insert {
            into,
            from: top_level_from(&tokens),
        });
    }
    None
}

/// The table named after the first `FROM` outside parentheses.
fn top_level_from(tokens: &[Token]) -> Option<String> {
    let mut depth = 0usize;
    for (i, token) in tokens.iter().enumerate() {
        match token {
            Token::Open => depth += 1,
            Token::Close => depth = depth.saturating_sub(1),
            Token::Word(w) if depth == 0 && w.eq_ignore_ascii_case("FROM") => {
                return match tokens.get(i + 1) {
                    Some(Token::Name(n)) => Some(n.clone()),
                    _ => None,
                };
            }
            _ => {}
        }
    }
    None
}

/// A token of the SQL staged generates.
#[derive(Debug, PartialEq, Eq)]
enum Token {
    /// A keyword, a bare name, a number or a function name.
    Word(String),
    /// A `"quoted"` identifier, unquoted.
    Name(String),
    Open,
    Close,
    /// A `'text'` literal, punctuation, an operator.
    Other,
}

fn tokens(sql: &str) -> Vec<Token> {
    let mut out = Vec::new();
    let mut chars = sql.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '"' | '\'' => {
                let mut text = String::new();
                while let Some(d) = chars.next() {
                    if d == c {
                        if chars.peek() == Some(&c) {
                            chars.next();
                        } else {
                            break;
                        }
                    }
                    text.push(d);
                }
                out.push(if c == '"' {
                    Token::Name(text)
                } else {
                    Token::Other
                });
            }
            '(' => out.push(Token::Open),
            ')' => out.push(Token::Close),
            c if c.is_alphanumeric() || c == '_' => {
                let mut word = String::from(c);
                while let Some(&d) = chars.peek() {
                    if !(d.is_alphanumeric() || d == '_') {
                        break;
                    }
                    word.push(d);
                    chars.next();
                }
                out.push(Token::Word(word));
            }
            c if c.is_whitespace() => {}
            _ => out.push(Token::Other),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sql;

    fn name(n: &str) -> Option<String> {
        Some(n.to_owned())
    }

    #[test]
    fn names_keep_doubled_quotes_and_text_is_skipped() {
        let statement =
            r#"INSERT INTO "a""b" (x) SELECT 'FROM "no"', coalesce("c", 'it''s') FROM "t u""#;
        assert_eq!(
            shape(statement),
            Some(Shape::Insert {
                into: "a\"b".into(),
                from: name("t u")
            })
        );
    }

    #[test]
    fn the_sequence_seed_reads_no_table_from_the_top_level() {
        assert_eq!(
            shape(&sql::seed_sequence("_staged_new_0", "Item")),
            Some(Shape::Insert {
                into: sql::SEQUENCE_TABLE.into(),
                from: None
            })
        );
    }

    #[test]
    fn every_statement_a_step_generates_has_a_shape() {
        assert_eq!(
            shape(&sql::drop_index_if_exists("i")),
            Some(Shape::DropIndex("i".into()))
        );
        assert_eq!(
            shape(&sql::drop_table("t")),
            Some(Shape::DropTable("t".into()))
        );
        assert_eq!(
            shape(&sql::rename_table("t", "u")),
            Some(Shape::RenameTable {
                from: "t".into(),
                to: "u".into()
            })
        );
        assert_eq!(
            shape(&sql::drop_column("t", "c")),
            Some(Shape::DropColumn("t".into()))
        );
        assert_eq!(
            shape(&sql::rename_column("t", "c", "d")),
            Some(Shape::AlterColumn("t".into()))
        );
        assert_eq!(
            shape(&sql::create_unique_index("t", "c")),
            Some(Shape::CreateIndex("t".into()))
        );
        assert_eq!(
            shape(&sql::create_compound_index(
                "t",
                false,
                ["a", "b"].into_iter()
            )),
            Some(Shape::CreateIndex("t".into()))
        );
        assert_eq!(
            shape(&sql::links_of_to_one("l", "t", "c", true)),
            Some(Shape::CreateTable {
                table: "l".into(),
                from: name("t")
            })
        );
        assert_eq!(
            shape(&sql::copy_links("j", "l", false)),
            Some(Shape::Insert {
                into: "j".into(),
                from: name("l")
            })
        );
    }

    #[test]
    fn other_statements_have_none() {
        assert_eq!(shape("UPDATE \"Item\" SET \"name\" = ''"), None);
        assert_eq!(shape("DROP VIEW \"v\""), None);
        assert_eq!(shape("ALTER TABLE \"t\" FROB"), None);
    }
}
