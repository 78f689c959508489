//! The registered monitors and every change to them. A change is written to
//! the store (when there is one) before it is acknowledged; if writing fails
//! the change is undone, so what the server answers 2xx to is exactly what
//! is on disk.

use std::collections::BTreeMap;
use std::fmt;

use super::monitor::{Monitor, Saved};
use super::spec::{MonitorSpec, SpecError};
use super::store::{Store, StoreError};
use supercheck_runtime::timers::TimerId;

/// Why a change was refused.
#[derive(Debug)]
pub enum RegistryError {
    /// No monitor has that name.
    NotFound(String),
    /// A monitor already has that name.
    Duplicate(String),
    /// As many monitors as `--max-monitors` allows are registered.
    Full(usize),
    /// The registration breaks a rule.
    Spec(SpecError),
    /// The change could not be made durable (and was undone).
    Store(StoreError),
}

impl fmt::Display for RegistryError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            RegistryError::NotFound(name) => write!(f, "no monitor named {name:?}"),
            RegistryError::Duplicate(name) => write!(f, "a monitor named {name:?} already exists"),
            RegistryError::Full(max) => write!(f, "at most {max} monitors may be registered"),
            RegistryError::Spec(e) => write!(f, "{e}"),
            RegistryError::Store(e) => write!(f, "not saved: {e}"),
        }
    }
}

impl std::error::Error for RegistryError {}

/// The monitors, by name.
#[derive(Debug)]
pub struct Registry {
    monitors: BTreeMap<String, Monitor>,
    store: Option<Store>,
    max: usize,
    generation: u64,
}

impl Registry {
    /// A registry holding `monitors` (from the store), persisting to `store`.
    pub fn new(monitors: Vec<Monitor>, store: Option<Store>, max: usize) -> Self {
        let mut registry = Self {
            monitors: BTreeMap::new(),
            store,
            max,
            generation: 0,
        };
        for mut monitor in monitors {
            monitor.generation = registry.next_generation();
            registry.monitors.insert(monitor.spec.name.clone(), monitor);
        }
        registry
    }

    fn next_generation(&mut self) -> u64 {
        self.generation = self.generation.wrapping_add(1);
        self.generation
    }

    /// Every monitor, by name.
    pub fn monitors(&self) -> &BTreeMap<String, Monitor> {
        &self.monitors
    }

    /// One monitor.
    pub fn get(&self, name: &str) -> Option<&Monitor> {
        self.monitors.get(name)
    }

    /// One monitor, to update it after a probe.
    pub fn get_mut(&mut self, name: &str) -> Option<&mut Monitor> {
        self.monitors.get_mut(name)
    }

    /// Writes every monitor to the store (no-op without one).
    ///
    /// # Errors
    /// The store's.
    pub fn persist(&self) -> Result<(), StoreError> {
        match &self.store {
            Some(store) => store.save(self.monitors.values().map(Monitor::saved).collect()),
            None => Ok(()),
        }
    }

    fn persist_or(&mut self, undo: impl FnOnce(&mut Self)) -> Result<(), RegistryError> {
        match self.persist() {
            Ok(()) => Ok(()),
            Err(e) => {
                undo(self);
                Err(RegistryError::Store(e))
            }
        }
    }

    /// Registers `spec`, durably.
    ///
    /// # Errors
    /// [`RegistryError::Spec`], `Duplicate`, `Full` or `Store`.
    pub fn add(&mut self, spec: MonitorSpec) -> Result<&Monitor, RegistryError> {
        let target = spec.validate().map_err(RegistryError::Spec)?;
        if self.monitors.contains_key(&spec.name) {
            return Err(RegistryError::Duplicate(spec.name));
        }
        if self.monitors.len() >= self.max {
            return Err(RegistryError::Full(self.max));
        }
        let name = spec.name.clone();
        let mut monitor = Monitor::new(spec, target).map_err(|e| {
            RegistryError::Spec(SpecError::Invalid {
                field: "threshold",
                reason: e.to_string(),
            })
        })?;
        monitor.generation = self.next_generation();
        self.monitors.insert(name.clone(), monitor);
        let undo_name = name.clone();
        self.persist_or(move |r| {
            r.monitors.remove(&undo_name);
        })?;
        self.monitors
            .get(&name)
            .ok_or(RegistryError::NotFound(name))
    }

    /// Removes `name`, durably; its pending probe timer, to cancel.
    ///
    /// # Errors
    /// [`RegistryError::NotFound`] or `Store`.
    pub fn remove(&mut self, name: &str) -> Result<Option<TimerId>, RegistryError> {
        let mut monitor = self
            .monitors
            .remove(name)
            .ok_or_else(|| RegistryError::NotFound(name.to_string()))?;
        let timer = monitor.next_probe.take();
        let mut kept = Some(monitor);
        self.persist_or(|r| {
            if let Some(m) = kept.take() {
                r.monitors.insert(m.spec.name.clone(), m);
            }
        })?;
        Ok(timer)
    }

    /// Pauses or resumes `name`, durably. Returns whether it changed and the
    /// pending probe timer to cancel (when pausing).
    ///
    /// # Errors
    /// [`RegistryError::NotFound`] or `Store`.
    pub fn set_paused(
        &mut self,
        name: &str,
        paused: bool,
    ) -> Result<(bool, Option<TimerId>), RegistryError> {
        let generation = self.next_generation();
        let monitor = self
            .monitors
            .get_mut(name)
            .ok_or_else(|| RegistryError::NotFound(name.to_string()))?;
        if monitor.paused == paused {
            return Ok((false, None));
        }
        let old_generation = monitor.generation;
        monitor.paused = paused;
        monitor.generation = generation;
        let undo_name = name.to_string();
        self.persist_or(move |r| {
            if let Some(m) = r.monitors.get_mut(&undo_name) {
                m.paused = !paused;
                m.generation = old_generation;
            }
        })?;
        let timer = self
            .monitors
            .get_mut(name)
            .and_then(|m| m.next_probe.take());
        Ok((true, timer))
    }

    /// The saved form of every monitor (for tests and `status`).
    pub fn saved(&self) -> Vec<Saved> {
        self.monitors.values().map(Monitor::saved).collect()
    }
}
