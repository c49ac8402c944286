// Every word of the import screen (Settings -> Import), in one place.

export const I = {
  title: "Bring in your history",
  intro: "Months of notes in Daylio, Bearable or Visible can come with you. Nothing is added until you confirm, and importing the same file again adds nothing.",
  sourceLegend: "Which app is the file from?",
  sources: {
    daylio: ["Daylio", "In Daylio: More, Export entries, CSV."],
    bearable: ["Bearable", "In Bearable: Settings, Export data, CSV."],
    visible: ["Visible", "In Visible: Settings, Export data."],
  },
  fileLabel: "The exported file (CSV, up to 10 MB)",
  fileHint: "It stays on your account only; nobody else sees it.",
  reading: "Reading the file…",
  uploading: (percent) => `Sending the file: ${percent}%`,
  saving: "Adding your records…",
  progressLabel: "Import progress",
  previewTitle: "What will be added",
  rows: (n) => `${n.toLocaleString()} rows in the file.`,
  counts: {
    twitch: (n) => `${n.toLocaleString()} twitches`,
    checkin: (n) => `${n.toLocaleString()} days of check-in (values and notes)`,
    symptom: (n) => `${n.toLocaleString()} symptoms`,
    activity: (n) => `${n.toLocaleString()} activities`,
    intake: (n) => `${n.toLocaleString()} intakes`,
  },
  nothing: "Nothing in this file becomes a record.",
  mappingTitle: "How each entry is kept",
  mappingHint: "Change any line; the counts above follow. Whatever is not matched is kept as a note on its day, never dropped.",
  skippedTitle: (n) => `${n.toLocaleString()} rows could not be read and will be left out`,
  skippedRow: (row, reason) => `Row ${row}: ${reason}`,
  skippedMore: (n) => `and ${n.toLocaleString()} more`,
  times: "Entries without a clock time get one: before the day 06:00, morning 09:00, midday 13:00, evening 19:00, all day 12:00.",
  confirm: (n) => `Add ${n.toLocaleString()} records`,
  confirmNothing: "Nothing to add",
  again: "Choose another file",
  doneTitle: "Your history is in",
  done: (n) => `Done: ${n.toLocaleString()} records added. They are on every device you sign in to.`,
  doneNothing: "Done: everything in this file was already here, so nothing was added.",
  history: "See them in History",
  signedOut: "Sign in first (More, Account): imported records belong to your account.",
  offline: "You are offline. The import needs a connection; try again when you are back online.",
  failed: "The import did not work. Please try again.",
  checkFile: "Choose the app the file came from above (it is read again at once), or pick another file.",
  targets: {
    twitch: "A twitch",
    note: "A note on that day",
    ignore: "Leave out",
    symptom: "Symptom",
    intake: "Intake",
    checkin: "Check-in",
    activity: "Activity",
  },
  words: {
    muscle_wasting: "muscle wasting", speech_difficulty: "speech difficulty", swallowing_difficulty: "swallowing difficulty",
    reflex_change: "reflex change", sleep_hours: "hours of sleep", sleep_quality: "sleep quality", twitch_burden: "twitch burden",
  },
};

// "symptom:cramp" -> "Symptom: cramp"; "checkin:sleep_hours" -> "Check-in: hours of sleep"
export function targetName(target) {
  const [kind, detail] = target.split(":");
  const head = I.targets[kind] || kind;
  if (!detail) return head;
  return `${head}: ${I.words[detail] || detail.replace(/_/g, " ")}`;
}
