//! The dashboard's interactive state: which pane has the focus, whether the events are
//! paused, the correlation-id filter, the selected event and the `orders trace` window,
//! and what each key does to them.
//!
//! Keys in, actions out, no terminal: the screen tests drive it as a person would.

use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use std::collections::VecDeque;

/// Events kept, newest last; older ones are forgotten.
const KEPT_EVENTS: usize = 2_000;

/// One event from a watched topic, as `orders tail` prints it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Event {
    pub(crate) correlation_id: Option<String>,
    pub(crate) line: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Pane {
    Services,
    Lag,
    Gateway,
    DeadLetters,
    Events,
}

impl Pane {
    const ALL: [Pane; 5] = [
        Pane::Services,
        Pane::Lag,
        Pane::Gateway,
        Pane::DeadLetters,
        Pane::Events,
    ];

    fn index(self) -> usize {
        Self::ALL.iter().position(|p| *p == self).unwrap_or(0)
    }
}

/// A window over the screen: `orders trace` of one event.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Popup {
    pub(crate) title: String,
    pub(crate) lines: Vec<String>,
    pub(crate) scroll: usize,
}

/// What the main loop must do after a key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Action {
    None,
    Quit,
    /// Run `orders trace` for this correlation id and show it.
    Trace(String),
}

#[derive(Debug, Clone)]
pub(crate) struct View {
    pub(crate) focus: Pane,
    /// Scroll offset of each pane, in lines (the events' is the selected line).
    offsets: [usize; 5],
    events: VecDeque<(u64, Event)>,
    received: u64,
    /// When paused, the events shown are those received up to this number.
    paused_at: Option<u64>,
    pub(crate) filter: Option<String>,
    /// The filter being typed after `/`.
    pub(crate) editing: Option<String>,
    pub(crate) popup: Option<Popup>,
}

impl Default for View {
    fn default() -> Self {
        Self::new()
    }
}

impl View {
    pub(crate) fn new() -> Self {
        Self {
            focus: Pane::Services,
            offsets: [0; 5],
            events: VecDeque::new(),
            received: 0,
            paused_at: None,
            filter: None,
            editing: None,
            popup: None,
        }
    }

    pub(crate) fn paused(&self) -> bool {
        self.paused_at.is_some()
    }

    pub(crate) fn offset(&self, pane: Pane) -> usize {
        self.offsets[pane.index()]
    }

    pub(crate) fn push_event(&mut self, event: Event) {
        self.received += 1;
        if self.events.len() == KEPT_EVENTS {
            self.events.pop_front();
        }
        self.events.push_back((self.received, event));
    }

    /// Events received while paused and not shown yet.
    pub(crate) fn held_back(&self) -> u64 {
        self.paused_at.map_or(0, |at| self.received - at)
    }

    /// The events on screen, newest first: those that pass the filter, and when paused
    /// only those received before the pause.
    pub(crate) fn visible_events(&self) -> Vec<&Event> {
        let upto = self.paused_at.unwrap_or(u64::MAX);
        self.events
            .iter()
            .rev()
            .filter(|(n, _)| *n <= upto)
            .map(|(_, e)| e)
            .filter(|e| match &self.filter {
                None => true,
                Some(filter) => e
                    .correlation_id
                    .as_deref()
                    .is_some_and(|id| id.contains(filter.as_str())),
            })
            .collect()
    }

    /// The selected event (events pane): 0 is the newest visible.
    pub(crate) fn selected(&self) -> usize {
        self.offset(Pane::Events)
    }

    pub(crate) fn handle(&mut self, key: KeyEvent) -> Action {
        let ctrl = key.modifiers.contains(KeyModifiers::CONTROL);
        if ctrl && matches!(key.code, KeyCode::Char('c') | KeyCode::Char('d')) {
            return Action::Quit;
        }
        if let Some(editing) = &mut self.editing {
            match key.code {
                KeyCode::Esc => self.editing = None,
                KeyCode::Enter => {
                    let text = editing.trim().to_owned();
                    self.filter = (!text.is_empty()).then_some(text);
                    self.editing = None;
                    self.offsets[Pane::Events.index()] = 0;
                }
                KeyCode::Backspace => {
                    editing.pop();
                }
                KeyCode::Char(c) if !ctrl => editing.push(c),
                _ => {}
            }
            return Action::None;
        }
        if let Some(popup) = &mut self.popup {
            match key.code {
                KeyCode::Esc | KeyCode::Enter | KeyCode::Char('q') => self.popup = None,
                KeyCode::Down | KeyCode::Char('j') => popup.scroll += 1,
                KeyCode::Up | KeyCode::Char('k') => popup.scroll = popup.scroll.saturating_sub(1),
                KeyCode::PageDown => popup.scroll += 10,
                KeyCode::PageUp => popup.scroll = popup.scroll.saturating_sub(10),
                _ => {}
            }
            return Action::None;
        }
        match key.code {
            KeyCode::Char('q') => return Action::Quit,
            KeyCode::Char('p') => self.toggle_pause(),
            KeyCode::Tab => self.focus = Pane::ALL[(self.focus.index() + 1) % Pane::ALL.len()],
            KeyCode::BackTab => {
                self.focus =
                    Pane::ALL[(self.focus.index() + Pane::ALL.len() - 1) % Pane::ALL.len()];
            }
            KeyCode::Char('/') => {
                self.editing = Some(self.filter.clone().unwrap_or_default());
                self.focus = Pane::Events;
            }
            KeyCode::Esc if self.filter.is_some() => {
                self.filter = None;
                self.offsets[Pane::Events.index()] = 0;
            }
            KeyCode::Up | KeyCode::Char('k') => self.scroll(-1),
            KeyCode::Down | KeyCode::Char('j') => self.scroll(1),
            KeyCode::PageUp => self.scroll(-10),
            KeyCode::PageDown => self.scroll(10),
            KeyCode::Home => self.offsets[self.focus.index()] = 0,
            KeyCode::Enter if self.focus == Pane::Events => {
                let visible = self.visible_events();
                if let Some(id) = visible
                    .get(self.selected())
                    .and_then(|e| e.correlation_id.clone())
                {
                    return Action::Trace(id);
                }
            }
            _ => {}
        }
        Action::None
    }

    fn toggle_pause(&mut self) {
        self.paused_at = match self.paused_at {
            Some(_) => {
                self.offsets[Pane::Events.index()] = 0;
                None
            }
            None => Some(self.received),
        };
    }

    /// Moves the focused pane; moving through the events pauses them, so the line
    /// chosen stays where it is.
    fn scroll(&mut self, by: isize) {
        if self.focus == Pane::Events {
            if self.paused_at.is_none() {
                self.paused_at = Some(self.received);
            }
            let last = self.visible_events().len().saturating_sub(1);
            let selected = self.selected().saturating_add_signed(by).min(last);
            self.offsets[Pane::Events.index()] = selected;
        } else {
            let offset = &mut self.offsets[self.focus.index()];
            *offset = offset.saturating_add_signed(by);
        }
    }

    /// Keeps a pane's offset within `max` (the screen knows how much there is).
    pub(crate) fn clamp(&mut self, pane: Pane, max: usize) {
        let offset = &mut self.offsets[pane.index()];
        *offset = (*offset).min(max);
    }

    /// Opens the trace window for `id`, with what is known so far.
    pub(crate) fn show_trace(&mut self, id: &str, lines: Vec<String>) {
        self.popup = Some(Popup {
            title: format!("orders trace {id}"),
            lines,
            scroll: 0,
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(code: KeyCode) -> KeyEvent {
        KeyEvent::new(code, KeyModifiers::NONE)
    }

    fn event(id: &str) -> Event {
        Event {
            correlation_id: Some(id.into()),
            line: format!("line of {id}"),
        }
    }

    #[test]
    fn pausing_freezes_the_events_until_unpaused() {
        let mut view = View::new();
        view.push_event(event("a"));
        assert_eq!(view.handle(key(KeyCode::Char('p'))), Action::None);
        view.push_event(event("b"));
        assert_eq!(view.visible_events(), vec![&event("a")]);
        assert_eq!(view.held_back(), 1);
        view.handle(key(KeyCode::Char('p')));
        assert_eq!(view.visible_events(), vec![&event("b"), &event("a")]);
    }

    #[test]
    fn the_filter_is_typed_after_a_slash_and_matches_correlation_ids() {
        let mut view = View::new();
        for id in ["abc-1", "xyz-2", "abc-3"] {
            view.push_event(event(id));
        }
        view.handle(key(KeyCode::Char('/')));
        for c in "abq".chars() {
            // While typing, q is a letter, not quit.
            assert_eq!(view.handle(key(KeyCode::Char(c))), Action::None);
        }
        view.handle(key(KeyCode::Backspace));
        view.handle(key(KeyCode::Enter));
        assert_eq!(view.filter.as_deref(), Some("ab"));
        assert_eq!(
            view.visible_events(),
            vec![&event("abc-3"), &event("abc-1")]
        );
        view.handle(key(KeyCode::Esc));
        assert_eq!(view.visible_events().len(), 3);
    }

    #[test]
    fn enter_on_an_event_asks_for_its_trace_and_moving_pauses() {
        let mut view = View::new();
        view.push_event(event("old"));
        view.push_event(event("new"));
        view.handle(key(KeyCode::Tab));
        view.handle(key(KeyCode::BackTab));
        assert_eq!(view.focus, Pane::Services);
        view.focus = Pane::Events;
        view.handle(key(KeyCode::Down));
        assert!(view.paused());
        view.push_event(event("newer"));
        assert_eq!(
            view.handle(key(KeyCode::Enter)),
            Action::Trace("old".into())
        );
        view.show_trace("old", vec!["running".into()]);
        assert_eq!(
            view.handle(key(KeyCode::Char('q'))),
            Action::None,
            "q closes the window first"
        );
        assert!(view.popup.is_none());
        assert_eq!(view.handle(key(KeyCode::Char('q'))), Action::Quit);
        assert_eq!(
            View::new().handle(KeyEvent::new(KeyCode::Char('c'), KeyModifiers::CONTROL)),
            Action::Quit
        );
    }
}
