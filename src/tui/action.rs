//! Everything a key can do in the workbench.
//!
//! A key press becomes an [`Action`] through the one [`Keymap`]; the App
//! turns the action into a change of session state. Keeping the list here,
//! with its names, descriptions and help groups, is what lets the help
//! screen, the hints bar and `keymap.toml` agree without repeating
//! themselves.
//!
//! [`Keymap`]: super::keymap::Keymap

use std::fmt;
use std::str::FromStr;

/// Where the keyboard focus is, which decides what a key means.
///
/// The same key may mean different things in different contexts (`Enter`
/// drills in on a table but runs a rule in the rules list), and an action is
/// only available in the contexts listed by [`Action::contexts`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Context {
    /// The start screen: loaded tables with their row counts.
    Home,
    /// Any table-like view: query results, frequency tables, rule hits.
    Table,
    /// The detection rules list.
    Rules,
    /// The help screen.
    Help,
    /// A line-editing prompt (`/` search, `:` pipeline, export file name) is
    /// open. Keys go to the [`LineEditor`](super::line_editor::LineEditor),
    /// not the keymap, so nothing can be bound here.
    Prompt,
}

impl Context {
    /// The contexts that have key bindings, in the order the help screen and
    /// `keymap.toml` sections list them.
    pub const BINDABLE: [Context; 4] =
        [Context::Home, Context::Table, Context::Rules, Context::Help];

    /// Section name in `keymap.toml` (`[table]`).
    pub fn name(self) -> &'static str {
        match self {
            Context::Home => "home",
            Context::Table => "table",
            Context::Rules => "rules",
            Context::Help => "help",
            Context::Prompt => "prompt",
        }
    }

    /// Parses a section name; `prompt` is not accepted since it has no bindings.
    pub fn from_name(name: &str) -> Option<Context> {
        Context::BINDABLE.into_iter().find(|c| c.name() == name)
    }
}

impl fmt::Display for Context {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// Sections of the help screen, in display order.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum HelpGroup {
    /// Cursor movement.
    Move,
    /// Actions that add or change a stage of the KQL pipeline.
    Query,
    /// Column layout that does not filter (marking, hiding).
    Columns,
    /// Row selection.
    Selection,
    /// Getting data out: export and clipboard.
    Output,
    /// Detection rules and pivots from a hit.
    Hunt,
    /// Screens and the application itself.
    General,
}

impl HelpGroup {
    /// All groups in display order.
    pub const ALL: [HelpGroup; 7] = [
        HelpGroup::Move,
        HelpGroup::Query,
        HelpGroup::Columns,
        HelpGroup::Selection,
        HelpGroup::Output,
        HelpGroup::Hunt,
        HelpGroup::General,
    ];

    /// Heading shown on the help screen.
    pub fn title(self) -> &'static str {
        match self {
            HelpGroup::Move => "Move",
            HelpGroup::Query => "Query",
            HelpGroup::Columns => "Columns",
            HelpGroup::Selection => "Selection",
            HelpGroup::Output => "Output",
            HelpGroup::Hunt => "Hunt",
            HelpGroup::General => "General",
        }
    }
}

/// Everything a key can do. See [`Action::description`] for each.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Action {
    // Move
    /// One row up.
    MoveUp,
    /// One row down.
    MoveDown,
    /// One column left (in lists: scroll left).
    MoveLeft,
    /// One column right (in lists: scroll right).
    MoveRight,
    /// Next column.
    NextColumn,
    /// Previous column.
    PrevColumn,
    /// One screen up.
    PageUp,
    /// One screen down.
    PageDown,
    /// Half a screen up.
    HalfPageUp,
    /// Half a screen down.
    HalfPageDown,
    /// First row.
    FirstRow,
    /// Last row.
    LastRow,
    // Query
    /// Open the search prompt (`search "..."` / `where * has`).
    Search,
    /// Edit the whole KQL pipeline.
    EditPipeline,
    /// Keep rows whose value equals the current cell.
    FilterKeep,
    /// Exclude rows whose value equals the current cell.
    FilterExclude,
    /// Frequency of the current column, or of the marked columns.
    Frequency,
    /// Sort by the current column; again reverses.
    Sort,
    /// Drill into the current row, group or table.
    DrillIn,
    /// Pop one pipeline step or close the current screen.
    Back,
    /// Show the whole pipeline, one stage per line, or fold it to one line.
    ExpandPipeline,
    /// Show the timeline of the view above its table, or hide it.
    Timeline,
    /// Show the next table of a query that made several (`fork`, `facet`).
    NextResult,
    /// Show the previous table of a query that made several.
    PrevResult,
    // Columns
    /// Mark or unmark the current column as a key column.
    MarkColumn,
    /// Hide the current column.
    HideColumn,
    // Selection
    /// Select or unselect the current row, then move down.
    ToggleSelect,
    /// Select every row in view.
    SelectAll,
    /// Clear the selection.
    ClearSelection,
    // Output
    /// Export the view (or the selection) to CSV.
    Export,
    /// Copy the pipeline to the clipboard.
    CopyPipeline,
    /// Copy the current cell to the clipboard.
    CopyCell,
    /// Flip between a `render` query's chart and its table.
    ToggleChart,
    /// Write the chart on screen to an SVG file.
    ExportChart,
    /// Pull a remote view into the local catalog as a table.
    PullTable,
    // Hunt
    /// Open the detection rules list.
    OpenRules,
    /// Run (or open the hits of) the current rule.
    RunRule,
    /// Run every rule.
    RunAllRules,
    /// Group the rules that fired by ATT&CK tactic, or not.
    GroupByTactic,
    /// Pivot: network connections of the hit's process.
    PivotConnections,
    /// Pivot: events of the hit's process.
    PivotProcessEvents,
    /// Pivot: device activity around the hit's time.
    PivotDeviceActivity,
    /// Pivot: connections to the hit's URL.
    PivotUrl,
    /// Pivot: processes and connections of the hit's account.
    PivotAccount,
    // General
    /// Show or hide the detail panel for the current row.
    ToggleDetail,
    /// Show the help screen.
    ShowHelp,
    /// Cancel running work (loading, query, export).
    Cancel,
    /// Quit Quarry.
    Quit,
}

use Context::{Help as CHelp, Home, Rules as CRules, Table};
// Action names must not collide with section names (home, table, rules,
// help): TOML cannot have both `rules = "R"` and a `[rules]` table.

const EVERY_VIEW: &[Context] = &[Home, Table, CRules, CHelp];
const LISTS: &[Context] = &[Home, Table, CRules];
const TABLE: &[Context] = &[Table];
const RULES: &[Context] = &[CRules];

impl Action {
    /// Every action, in help-screen order.
    pub const ALL: [Action; 48] = [
        Action::MoveUp,
        Action::MoveDown,
        Action::MoveLeft,
        Action::MoveRight,
        Action::NextColumn,
        Action::PrevColumn,
        Action::PageUp,
        Action::PageDown,
        Action::HalfPageUp,
        Action::HalfPageDown,
        Action::FirstRow,
        Action::LastRow,
        Action::Search,
        Action::EditPipeline,
        Action::FilterKeep,
        Action::FilterExclude,
        Action::Frequency,
        Action::Sort,
        Action::DrillIn,
        Action::Back,
        Action::ExpandPipeline,
        Action::Timeline,
        Action::NextResult,
        Action::PrevResult,
        Action::MarkColumn,
        Action::HideColumn,
        Action::ToggleSelect,
        Action::SelectAll,
        Action::ClearSelection,
        Action::Export,
        Action::CopyPipeline,
        Action::CopyCell,
        Action::ToggleChart,
        Action::ExportChart,
        Action::PullTable,
        Action::OpenRules,
        Action::RunRule,
        Action::RunAllRules,
        Action::GroupByTactic,
        Action::PivotConnections,
        Action::PivotProcessEvents,
        Action::PivotDeviceActivity,
        Action::PivotUrl,
        Action::PivotAccount,
        Action::ToggleDetail,
        Action::ShowHelp,
        Action::Cancel,
        Action::Quit,
    ];

    /// The snake_case name used in `keymap.toml` (`move_down`, `frequency`).
    pub fn name(self) -> &'static str {
        match self {
            Action::MoveUp => "move_up",
            Action::MoveDown => "move_down",
            Action::MoveLeft => "move_left",
            Action::MoveRight => "move_right",
            Action::NextColumn => "next_column",
            Action::PrevColumn => "prev_column",
            Action::PageUp => "page_up",
            Action::PageDown => "page_down",
            Action::HalfPageUp => "half_page_up",
            Action::HalfPageDown => "half_page_down",
            Action::FirstRow => "first_row",
            Action::LastRow => "last_row",
            Action::Search => "search",
            Action::EditPipeline => "edit_pipeline",
            Action::FilterKeep => "filter_keep",
            Action::FilterExclude => "filter_exclude",
            Action::Frequency => "frequency",
            Action::Sort => "sort",
            Action::DrillIn => "drill_in",
            Action::Back => "back",
            Action::ExpandPipeline => "expand_pipeline",
            Action::Timeline => "timeline",
            Action::NextResult => "next_result",
            Action::PrevResult => "prev_result",
            Action::ToggleChart => "toggle_chart",
            Action::ExportChart => "export_chart",
            Action::PullTable => "pull_table",
            Action::MarkColumn => "mark_column",
            Action::HideColumn => "hide_column",
            Action::ToggleSelect => "toggle_select",
            Action::SelectAll => "select_all",
            Action::ClearSelection => "clear_selection",
            Action::Export => "export",
            Action::CopyPipeline => "copy_pipeline",
            Action::CopyCell => "copy_cell",
            Action::OpenRules => "open_rules",
            Action::RunRule => "run_rule",
            Action::RunAllRules => "run_all_rules",
            Action::GroupByTactic => "group_by_tactic",
            Action::PivotConnections => "pivot_connections",
            Action::PivotProcessEvents => "pivot_process_events",
            Action::PivotDeviceActivity => "pivot_device_activity",
            Action::PivotUrl => "pivot_url",
            Action::PivotAccount => "pivot_account",
            Action::ToggleDetail => "toggle_detail",
            Action::ShowHelp => "show_help",
            Action::Cancel => "cancel",
            Action::Quit => "quit",
        }
    }

    /// Looks an action up by its [`name`](Action::name).
    pub fn from_name(name: &str) -> Option<Action> {
        Action::ALL.into_iter().find(|a| a.name() == name)
    }

    /// One line for the help screen.
    pub fn description(self) -> &'static str {
        match self {
            Action::MoveUp => "move up one row",
            Action::MoveDown => "move down one row",
            Action::MoveLeft => "move left one column",
            Action::MoveRight => "move right one column",
            Action::NextColumn => "next column",
            Action::PrevColumn => "previous column",
            Action::PageUp => "page up",
            Action::PageDown => "page down",
            Action::HalfPageUp => "half a page up",
            Action::HalfPageDown => "half a page down",
            Action::FirstRow => "first row",
            Action::LastRow => "last row",
            Action::Search => "search (every table from home, this view elsewhere)",
            Action::EditPipeline => "edit the whole KQL pipeline",
            Action::FilterKeep => "keep rows equal to the current cell",
            Action::FilterExclude => "exclude rows equal to the current cell",
            Action::Frequency => "frequency of the current (or marked) columns",
            Action::Sort => "sort by the current column; again to reverse",
            Action::DrillIn => "drill into the current row, group or table",
            Action::Back => "back one step",
            Action::ExpandPipeline => "show the whole pipeline, one stage per line",
            Action::Timeline => "timeline of the view; a range of it narrows the view",
            Action::NextResult => "next table of a query that made several (fork, facet)",
            Action::PrevResult => "previous table of a query that made several",
            Action::ToggleChart => "flip between the chart and the table",
            Action::ExportChart => "write the chart to an SVG file",
            Action::PullTable => "pull a remote view home as a local table (quarry --remote)",
            Action::MarkColumn => "mark or unmark the current column as a key",
            Action::HideColumn => "hide the current column",
            Action::ToggleSelect => "select or unselect the row, then move down",
            Action::SelectAll => "select every row in view",
            Action::ClearSelection => "clear the selection",
            Action::Export => "export the view (or selection) to CSV",
            Action::CopyPipeline => "copy the pipeline (or the rule's KQL) to the clipboard",
            Action::CopyCell => "copy the current cell to the clipboard",
            Action::OpenRules => "open the detection rules",
            Action::RunRule => "run the rule, or open its hits",
            Action::RunAllRules => "run every rule",
            Action::GroupByTactic => "group the rules that fired by tactic, or not",
            Action::PivotConnections => "pivot: network connections of this process",
            Action::PivotProcessEvents => "pivot: events of this process",
            Action::PivotDeviceActivity => "pivot: device activity around this time",
            Action::PivotUrl => "pivot: connections to this URL",
            Action::PivotAccount => "pivot: processes and connections of this account",
            Action::ToggleDetail => "show or hide the detail panel",
            Action::ShowHelp => "show this help",
            Action::Cancel => "cancel running work",
            Action::Quit => "quit Quarry",
        }
    }

    /// A word or two for the hints bar at the bottom of the screen.
    pub fn hint(self) -> &'static str {
        match self {
            Action::MoveUp => "up",
            Action::MoveDown => "down",
            Action::MoveLeft => "left",
            Action::MoveRight => "right",
            Action::NextColumn => "next col",
            Action::PrevColumn => "prev col",
            Action::PageUp => "page up",
            Action::PageDown => "page down",
            Action::HalfPageUp => "half up",
            Action::HalfPageDown => "half down",
            Action::FirstRow => "top",
            Action::LastRow => "bottom",
            Action::Search => "search",
            Action::EditPipeline => "query",
            Action::FilterKeep => "keep",
            Action::FilterExclude => "exclude",
            Action::Frequency => "freq",
            Action::Sort => "sort",
            Action::DrillIn => "open",
            Action::Back => "back",
            Action::ExpandPipeline => "pipeline",
            Action::Timeline => "timeline",
            Action::NextResult => "next table",
            Action::PrevResult => "prev table",
            Action::ToggleChart => "chart",
            Action::ExportChart => "svg",
            Action::PullTable => "pull",
            Action::MarkColumn => "mark",
            Action::HideColumn => "hide",
            Action::ToggleSelect => "select",
            Action::SelectAll => "select all",
            Action::ClearSelection => "unselect",
            Action::Export => "export",
            Action::CopyPipeline => "copy query",
            Action::CopyCell => "copy cell",
            Action::OpenRules => "rules",
            Action::RunRule => "run",
            Action::RunAllRules => "run all",
            Action::GroupByTactic => "by tactic",
            Action::PivotConnections => "connections",
            Action::PivotProcessEvents => "process",
            Action::PivotDeviceActivity => "device",
            Action::PivotUrl => "url",
            Action::PivotAccount => "account",
            Action::ToggleDetail => "detail",
            Action::ShowHelp => "help",
            Action::Cancel => "cancel",
            Action::Quit => "quit",
        }
    }

    /// The help-screen section this action is listed under.
    pub fn group(self) -> HelpGroup {
        use Action::*;
        match self {
            MoveUp | MoveDown | MoveLeft | MoveRight | NextColumn | PrevColumn | PageUp
            | PageDown | HalfPageUp | HalfPageDown | FirstRow | LastRow => HelpGroup::Move,
            Search | EditPipeline | FilterKeep | FilterExclude | Frequency | Sort | DrillIn
            | Back | ExpandPipeline | Timeline | NextResult | PrevResult => HelpGroup::Query,
            MarkColumn | HideColumn => HelpGroup::Columns,
            ToggleSelect | SelectAll | ClearSelection => HelpGroup::Selection,
            Export | CopyPipeline | CopyCell | ToggleChart | ExportChart | PullTable => {
                HelpGroup::Output
            }
            OpenRules | RunRule | RunAllRules | GroupByTactic | PivotConnections
            | PivotProcessEvents | PivotDeviceActivity | PivotUrl | PivotAccount => HelpGroup::Hunt,
            ToggleDetail | ShowHelp | Cancel | Quit => HelpGroup::General,
        }
    }

    /// The contexts in which this action means something, and so may be bound.
    pub fn contexts(self) -> &'static [Context] {
        use Action::*;
        match self {
            MoveUp | MoveDown | PageUp | PageDown | HalfPageUp | HalfPageDown | FirstRow
            | LastRow | Back | ShowHelp | Cancel | Quit => EVERY_VIEW,
            MoveLeft | MoveRight => LISTS,
            NextColumn | PrevColumn => TABLE,
            Search | RunAllRules => LISTS,
            EditPipeline | DrillIn | OpenRules => &[Home, Table],
            FilterKeep | FilterExclude | Frequency | Sort | MarkColumn | HideColumn
            | ExpandPipeline | ToggleSelect | SelectAll | ClearSelection | Export | CopyCell
            | PivotConnections | PivotProcessEvents | PivotDeviceActivity | PivotUrl
            | PivotAccount | Timeline | NextResult | PrevResult | ToggleChart | ExportChart
            | PullTable => TABLE,
            CopyPipeline | ToggleDetail => &[Table, CRules],
            RunRule | GroupByTactic => RULES,
        }
    }

    /// Whether this action may be bound in `context`.
    pub fn available_in(self, context: Context) -> bool {
        self.contexts().contains(&context)
    }
}

impl fmt::Display for Action {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for Action {
    type Err = String;

    /// Parses a `keymap.toml` name; the error suggests the closest name.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Action::from_name(s).ok_or_else(|| {
            let best = Action::ALL
                .iter()
                .map(|a| (strsim::jaro_winkler(s, a.name()), a.name()))
                .max_by(|a, b| a.0.total_cmp(&b.0));
            match best {
                Some((score, name)) if score >= 0.8 => {
                    format!("unknown action `{s}` (did you mean `{name}`?)")
                }
                _ => format!("unknown action `{s}`"),
            }
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    #[test]
    fn names_round_trip_and_are_unique() {
        let mut seen = HashSet::new();
        for a in Action::ALL {
            assert!(seen.insert(a.name()), "duplicate name {}", a.name());
            assert_eq!(Action::from_name(a.name()), Some(a));
            assert_eq!(a.to_string().parse::<Action>(), Ok(a));
            assert!(
                a.name().chars().all(|c| c.is_ascii_lowercase() || c == '_'),
                "{} is not snake_case",
                a.name()
            );
        }
    }

    #[test]
    fn all_lists_every_variant_once() {
        // `group` and `contexts` are exhaustive matches, so a new variant
        // fails to compile there; this catches one missing from ALL.
        let set: HashSet<Action> = Action::ALL.into_iter().collect();
        assert_eq!(set.len(), Action::ALL.len());
        let mut sorted = Action::ALL;
        sorted.sort();
        assert_eq!(sorted, Action::ALL, "ALL must follow declaration order");
    }

    #[test]
    fn every_action_has_text_and_a_bindable_context() {
        for a in Action::ALL {
            assert!(!a.description().is_empty());
            assert!(!a.hint().is_empty());
            assert!(!a.contexts().is_empty());
            assert!(!a.available_in(Context::Prompt), "{a} in prompt");
        }
    }

    #[test]
    fn unknown_names_suggest() {
        assert_eq!(
            "frequncy".parse::<Action>(),
            Err("unknown action `frequncy` (did you mean `frequency`?)".to_string())
        );
        assert_eq!(
            "movedown".parse::<Action>(),
            Err("unknown action `movedown` (did you mean `move_down`?)".to_string())
        );
        assert_eq!(
            "zzz".parse::<Action>(),
            Err("unknown action `zzz`".to_string())
        );
    }

    #[test]
    fn action_names_never_collide_with_sections() {
        for c in Context::BINDABLE {
            assert_eq!(Action::from_name(c.name()), None, "{c}");
        }
    }

    #[test]
    fn contexts_by_name() {
        for c in Context::BINDABLE {
            assert_eq!(Context::from_name(c.name()), Some(c));
        }
        assert_eq!(Context::from_name("prompt"), None);
    }
}
