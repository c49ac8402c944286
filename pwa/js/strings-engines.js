// Words for every engine and every phone (DESIGN §11): installing, keeping this device's copy,
// reminders on iPhone, and a reminder opened from its notification.

export const E = {
  install: {
    title: "Add Twitchlog to your Home Screen",
    intro: "It then opens like an app, full screen, and works with no signal.",
    button: "Install Twitchlog",
    installed: "Twitchlog is installed on this device.",
    guides: {
      "ios-safari": ["Tap the Share button (a square with an arrow) at the bottom of Safari.", "Choose “Add to Home Screen”.", "Tap “Add”."],
      "ios-other": ["Tap the Share button (a square with an arrow) in the address bar.", "Choose “Add to Home Screen”.", "Tap “Add”. If it is not there, open this page in Safari."],
      "macos-safari": ["In Safari’s menu bar choose File, then “Add to Dock”.", "Twitchlog then opens from the Dock in its own window."],
      "firefox-android": ["Tap Firefox’s menu (three dots).", "Choose “Add app to Home screen” (or “Install”).", "Confirm with “Add”."],
      "firefox-desktop": ["Firefox on a computer does not install web apps.", "Keep Twitchlog in a pinned tab, or open it in Chrome, Edge or Safari to install it."],
    },
  },
  storage: {
    title: "This device’s copy",
    kept: "Kept: the browser will not clear what is stored on this device.",
    mayBeCleared: "May be cleared: the browser can remove this device’s copy when space runs low. Sign in to keep a backup.",
    mayBeClearedSignedIn: "May be cleared by the browser when space runs low; your account keeps a backup of what has synced.",
    unknown: "This browser does not say whether it keeps this device’s copy.",
  },
  reminders: {
    iosInstallFirst: "On iPhone and iPad, reminders work only in the installed app. Add Twitchlog to your Home Screen (Share, then “Add to Home Screen”), open it from there, and turn reminders on in it.",
  },
  prompt: {
    title: "Reminder",
    evening: "Evening check-in",
    eveningBody: "When you are ready: a short check-in about today.",
    pacing: "Time for a rest",
    pacingBody: "A short rest now helps you pace the day.",
    snooze: "Snooze 15 min",
    done: "Done",
    rested: "I rested",
    openCheckin: "Open the check-in",
    snoozed: "Snoozed. It will come back in 15 minutes.",
    marked: "Marked as done on all your devices.",
    offline: "No connection right now. Try again when you are back online.",
    gone: "This reminder is no longer open.",
    failed: "That did not go through. Please try again.",
  },
};
