// Words of the person's first screen added in issue 10: navigation, home, the red-flag card and
// strip. The words of screens opened later are in strings-screens.js, so the first load stays small.

export const A = {
  nav: { insights: "Insights", history: "History", symptoms: "Symptoms" },
  home: {
    calmToday: (n) => (n === 0 ? "Nothing logged today yet" : "Logged today. Every tap is kept."),
    links: "Also",
    history: "History",
    symptoms: "Symptoms",
  },
  redFlag: {
    acknowledge: "I understand — show this smaller",
    stripText: (what) => `Please talk to a doctor about ${what}.`,
    stripMore: "Why?",
    stripLess: "Show less",
    stripLabel: "Red-flag reminder",
    bannerLabel: "Red-flag alert",
    emergency: "If something came on suddenly — for example sudden trouble speaking, one side of the face drooping, or weakness on one side of the body — call emergency services now.",
    persistentShort: (where) => `twitching kept to the ${where}`,
  },
};
