// electron-vite's import suffixes (`?modulePath` for worker entries) and its env variables.
/// <reference types="electron-vite/node" />
