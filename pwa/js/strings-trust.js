// Words of the trust and abuse work (§12) shown in other screens (English).

export const TRUST = {
  sharing: {
    acceptedBy: (email, when) => `Accepted by ${email} on ${when}`,
    notAccepted: "Not accepted yet",
  },
};
